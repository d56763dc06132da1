package config_test

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"skygrid"
	"skygrid/config"
	"skygrid/dispatch"
	"skygrid/notify"

	"github.com/BurntSushi/toml"
)

// loadConfig reads the pipeline's part of the configuration.
func loadConfig(path string, sets ...string) (dispatch.Config, error) {
	cfg, err := config.Load(path, nil, sets...)
	return cfg.Config, err
}

// loadSettings reads the whole configuration.
func loadSettings(path string, getenv func(string) string, sets ...string) (config.Config, error) {
	return config.Load(path, getenv, sets...)
}

const exampleFile = "../skygrid.example.toml"

// The example file documents every key with its default value.
func TestExampleConfigIsTheDefaults(t *testing.T) {
	cfg, err := loadConfig(exampleFile)
	if err != nil {
		t.Fatal(err)
	}
	if def := dispatch.DefaultConfig(); !reflect.DeepEqual(cfg, def) {
		t.Errorf("example config\n%+v\ndiffers from the defaults\n%+v", cfg, def)
	}
	all, err := loadSettings(exampleFile, nil)
	if err != nil {
		t.Fatal(err)
	}
	if def := notify.DefaultConfig(); !reflect.DeepEqual(all.Notify, def) {
		t.Errorf("example [notify]\n%+v\ndiffers from the defaults\n%+v", all.Notify, def)
	}
	if all.Auth != config.DefaultAuth() || all.Auth.TokenExpiryDays != 90 {
		t.Errorf("example [auth] %+v differs from the defaults %+v", all.Auth, config.DefaultAuth())
	}
	if def := config.DefaultServer(); !reflect.DeepEqual(all.Server, def) {
		t.Errorf("example [server]\n%+v\ndiffers from the defaults\n%+v", all.Server, def)
	}
	if kinds := all.Notify.Kinds(); len(kinds) != 0 {
		t.Errorf("the example configures %v", kinds)
	}
	if def := config.Default(); !reflect.DeepEqual(all, def) {
		t.Errorf("example config\n%+v\ndiffers from the defaults\n%+v", all, def)
	}
}

func TestConfigSetFlags(t *testing.T) {
	cfg, err := loadConfig("", "detect.cluster_metres=800", "detect.cluster_gap=6h", "area_margin_metres = 2000", "detect.time_zone=Asia/Urumqi")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Detect.ClusterMetres != 800 || cfg.Detect.ClusterGap.Hours() != 6 || cfg.AreaMarginMetres != 2000 || cfg.Detect.TimeZone != "Asia/Urumqi" {
		t.Errorf("got %+v", cfg)
	}
	for _, tt := range []struct{ set, want string }{
		{"detect.nope=1", "unknown keys: detect.nope"},
		{"cluster", "want key=value"},
		{"detect.cluster_gap=soon", "cluster_gap"},
	} {
		if _, err := loadConfig("", tt.set); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("--set %s: got %v, want %s", tt.set, err, tt.want)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct{ name, text, want string }{
		{"unknown key", "area_margin = 5\n", "unknown keys: area_margin"},
		{"bad duration", "[detect]\ncluster_gap = \"soon\"\n", "cluster_gap"},
		{"bad confidence", "[detect]\nviirs_min_confidence = \"x\"\n", "viirs_min_confidence"},
		{"bad class", "fire_classes = [\"fire\"]\n", "unknown class"},
		{"NaN distance", "[detect]\ncluster_metres = nan\n", "cluster_metres: not a finite number: NaN"},
		{"infinite margin", "area_margin_metres = inf\n", "area_margin_metres: not a finite number: +Inf"},
		{"negative distance", "[detect]\nheat_source_metres = -1.0\n", "heat_source_metres: out of range: -1 (want 0 to 1e+06 m)"},
		{"NaN tolerance", "assign_tolerance_metres = -nan\n", "assign_tolerance_metres: not a finite number: NaN"},
		{"dust deadline", "[dust]\nrespond_minutes = 0\n", "dust.respond_minutes 0"},
		{"unknown dust rule", "[dust]\nactive = [\"silent\", \"beijing\"]\n", `dust.active: "beijing"`},
		{"dust preset window", "[dust.presets.x]\nfactor = \"pm10\"\nkind = \"minute\"\ninterval = \"1m\"\nwindow = \"7m\"\nlimit_ugm3 = 80.0\n",
			"dust.presets.x.window 7m0s: want 1m to 24h, dividing a day"},
		{"no minute readings kept", "[readings]\nkeep_minutes = 0\n", "readings.keep_minutes 0: want 1 to 3660 (days)"},
		{"readings kept for ever", "[readings]\nkeep_minutes = 99999\n", "readings.keep_minutes 99999: want 1 to 3660"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, "c.toml")
			os.WriteFile(p, []byte(tt.text), 0o644)
			_, err := loadConfig(p)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), p) {
				t.Errorf("got %v, want %s naming the file", err, tt.want)
			}
		})
	}
}

// The [notify] section: each provider's required keys, the template
// parameters, secrets from the environment; no error shows a secret.
func TestNotifyConfig(t *testing.T) {
	const secret = "s3cr3t-AccessKeySecret-value"
	dir := t.TempDir()
	aliyun := "[notify.sms]\nprovider = \"aliyun\"\naccess_key_id = \"LTAI5tExample\"\naccess_key_secret = \"" + secret + "\"\n" +
		"sign_name = \"大同环保\"\ntemplate_code = \"SMS_123456789\"\n"
	for _, tt := range []struct{ name, text, want string }{
		{"provider", "[notify.sms]\nprovider = \"huawei\"\n", `notify.sms.provider "huawei"`},
		{"aliyun without secret", "[notify.sms]\nprovider = \"aliyun\"\naccess_key_id = \"x\"\nsign_name = \"s\"\ntemplate_code = \"t\"\n",
			"notify.sms.access_key_secret: required for provider aliyun"},
		{"tencent without app", "[notify.sms]\nprovider = \"tencent\"\nsecret_id = \"x\"\nsecret_key = \"" + secret + "\"\nsign_name = \"s\"\ntemplate_id = \"1\"\n",
			"notify.sms.sdk_app_id: required for provider tencent"},
		{"unknown parameter", aliyun + "template_params = [\"task_id\", \"link\"]\n", `unknown field "link"`},
		{"unknown key", aliyun + "access_key = \"x\"\n", "unknown keys: notify.sms.access_key"},
		{"dingtalk without agent", "[notify.dingtalk_app]\napp_key = \"dingkey\"\napp_secret = \"" + secret + "\"\n", "notify.dingtalk_app.agent_id: required"},
		{"dingtalk msg type", "[notify.dingtalk_app]\nmsg_type = \"text\"\n", `msg_type "text"`},
		{"base url", aliyun + "base_url = \"ftp://x\"\n", "notify.sms.base_url: want an http or https URL"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, "c.toml")
			os.WriteFile(p, []byte(tt.text), 0o644)
			_, err := loadSettings(p, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), p) {
				t.Errorf("got %v, want %s naming the file", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), secret) {
				t.Errorf("the error shows the secret: %v", err)
			}
		})
	}

	p := filepath.Join(dir, "ok.toml")
	os.WriteFile(p, []byte(aliyun+"[notify.dingtalk_app]\napp_key = \"dingkey\"\nagent_id = 2233\n"), 0o644)
	// The DingTalk secret comes from the environment only.
	if _, err := loadSettings(p, nil); err == nil || !strings.Contains(err.Error(), "app_key and app_secret go together") {
		t.Fatalf("without the environment: %v", err)
	}
	env := map[string]string{"SKYGRID_DINGTALK_APP_SECRET": "ding-secret-from-env", "SKYGRID_SMS_ACCESS_KEY_SECRET": "env-wins"}
	cfg, err := loadSettings(p, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Notify.DingTalkApp.AppSecret != "ding-secret-from-env" || cfg.Notify.SMS.AccessKeySecret != "env-wins" ||
		!slices.Equal(cfg.Notify.Kinds(), []string{skygrid.ChannelAliyunSMS, skygrid.ChannelDingTalkWork}) {
		t.Errorf("loaded %+v, kinds %v", cfg.Notify, cfg.Notify.Kinds())
	}
	for _, d := range cfg.Notify.Describe() {
		if strings.Contains(d, "env-wins") || strings.Contains(d, "ding-secret") || strings.Contains(d, secret) {
			t.Errorf("describe shows a secret: %s", d)
		}
	}
	// --set reaches the nested tables.
	cfg, err = loadSettings("", nil, "notify.sms.provider=tencent", "notify.sms.secret_id=AKIDx", "notify.sms.secret_key=k",
		"notify.sms.sign_name=大同环保", "notify.sms.template_id=1234567", "notify.sms.sdk_app_id=1400000000")
	if err != nil || !slices.Equal(cfg.Notify.Kinds(), []string{skygrid.ChannelTencentSMS}) {
		t.Errorf("--set: %v %+v", err, cfg.Notify.SMS)
	}
}

// The example file names every key of the configuration (a key missing
// there would still parse, to its default, and go undocumented).
func TestExampleNamesEveryKey(t *testing.T) {
	var cfg config.Config
	md, err := toml.DecodeFile(exampleFile, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	keys := tomlKeys(reflect.TypeOf(cfg), nil)
	if len(keys) < 70 {
		t.Fatalf("only %d keys found: %v", len(keys), keys)
	}
	for _, k := range keys {
		if !md.IsDefined(k...) {
			t.Errorf("%s is not in %s", strings.Join(k, "."), exampleFile)
		}
	}
}

// tomlKeys lists the keys of a configuration struct: embedded structs
// add their keys, tables (structs but durations) their own.
func tomlKeys(typ reflect.Type, prefix []string) [][]string {
	var out [][]string
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		name := f.Tag.Get("toml")
		key := append(slices.Clone(prefix), name)
		switch {
		case f.Anonymous:
			out = append(out, tomlKeys(f.Type, prefix)...)
		case f.Type.Kind() == reflect.Struct && f.Type.Name() != "Duration":
			out = append(out, tomlKeys(f.Type, key)...)
		case name != "":
			out = append(out, key)
		}
	}
	return out
}

// A site's stage and area for the dust rules come from [dust.sites].
func TestDustSites(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.toml")
	os.WriteFile(p, []byte("[dust]\nactive = [\"shaanxi_tsp_earthworks\", \"silent\"]\n[dust.sites.\"12\"]\nstage = \"earthworks\"\narea = \"rural\"\n"), 0o644)
	cfg, err := loadSettings(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	id := int64(12)
	s := cfg.Dust.Subject(skygrid.Monitor{ID: 3, SiteID: &id}, "平城区")
	if rules := cfg.Dust.Rules(); s.Stage != "earthworks" || s.Area != "rural" || len(rules) != 1 || !rules[0].AppliesTo(s) {
		t.Errorf("subject %+v, rules %+v", s, rules)
	}
	os.WriteFile(p, []byte("[dust.sites.\"12\"]\nstage = \"roof\"\n"), 0o644)
	if _, err := loadSettings(p, nil); err == nil || !strings.Contains(err.Error(), `dust.sites.12: stage "roof"`) {
		t.Errorf("got %v", err)
	}
}

// A preset given with --set (or in the file) is whole: it replaces the
// built-in one of its name, so it names all its keys.
func TestDustPresetSet(t *testing.T) {
	cfg, err := loadSettings("", nil, `dust.presets.mine={factor="pm10", kind="minute", interval="1m", window="15m", limit_ugm3=150.0, allowed_per_day=3}`,
		`dust.active=["mine", "silent"]`)
	if err != nil {
		t.Fatal(err)
	}
	if rules := cfg.Dust.Rules(); len(rules) != 1 || rules[0].Name != "mine" || rules[0].Window != 15*time.Minute || rules[0].Limit != 150 || rules[0].AllowedPerDay != 3 {
		t.Errorf("rules %+v", rules)
	}
	if _, err := loadSettings("", nil, "dust.presets.datong_default.limit_ugm3=100"); err == nil || !strings.Contains(err.Error(), `dust.presets.datong_default.factor ""`) {
		t.Errorf("a partial preset: %v", err)
	}
}
