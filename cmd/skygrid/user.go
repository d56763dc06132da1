package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"skygrid/password"
	"slices"
	"strings"

	"skygrid"

	"golang.org/x/term"
)

// UserCommand is skygrid user: accounts, roles and passwords.
type UserCommand struct{ *Main }

// Usage of skygrid user.
func (m *UserCommand) Usage() string {
	return `Usage: skygrid user add|list|disable|enable|passwd [arguments] [flags]

  user add --name NAME --role ROLE [--region ID[,ID...]] [--phone P] [--dingtalk-id ID] [--password-file FILE]
  user list
  user disable|enable NAME     stop or restore a user's access
  user passwd NAME [--password-file FILE]

Roles: admin and auditor are city-wide; official takes counties or
townships (a province's city bureau: the city's counties); supervisor
takes grids. Run 'skygrid user VERB -h' for the flags.

Examples:
  skygrid user add --name admin --role admin --password-file admin.pw
  skygrid user add --name wangge --role supervisor --region 140225-008-006 --phone 13800138000
  skygrid user disable wangge
  skygrid user passwd admin --password-file new.pw
`
}

// Run runs one verb of skygrid user.
func (m *UserCommand) Run(ctx context.Context, args []string) error {
	if len(args) > 0 && isHelp(args[0]) {
		return m.commandHelp(m)
	}
	if len(args) == 0 || !slices.Contains([]string{"add", "list", "disable", "enable", "passwd"}, args[0]) {
		return fmt.Errorf("user: want add, list, disable, enable or passwd")
	}
	switch args[0] {
	case "disable", "enable":
		return m.disable(ctx, args[0], args[1:])
	case "passwd":
		return m.passwd(ctx, args[1:])
	case "list":
		return m.list(ctx, args[1:])
	}
	return m.add(ctx, args[1:])
}

// list: skygrid user list
func (m *UserCommand) list(ctx context.Context, args []string) error {
	var c common
	fs := m.newFlags("user list", "Usage: skygrid user list", &c)
	db, err := m.parseOpen(fs, args, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	us, err := db.FindUsers(ctx)
	if err != nil {
		return err
	}
	for _, u := range us {
		fmt.Fprintf(m.Stdout, "%d\t%s\t%s (%s)\t%s\t%s\t%s", u.ID, u.Name, u.Role, skygrid.RoleNames[u.Role], strings.Join(u.Regions, ","),
			skygrid.MaskPhone(u.Phone), dingtalkOf(u))
		if u.Disabled {
			fmt.Fprint(m.Stdout, "\tdisabled")
		}
		fmt.Fprintln(m.Stdout)
	}
	return nil
}

// add: skygrid user add --name NAME --role ROLE ...
func (m *UserCommand) add(ctx context.Context, args []string) error {
	var c common
	fs := m.newFlags("user add", `Usage: skygrid user add --name NAME --role ROLE [--region ID[,ID...]] [--phone P] [--dingtalk-id ID] [--password-file FILE]

Roles: admin and auditor are city-wide (no --region); official takes county
or township ids (a province's city bureau: the city's counties, which the
error for a city id lists); supervisor takes grid ids. The password comes from
--password-file (its first line) or, in a terminal, a prompt; at least 8
characters, stored as a bcrypt hash. A supervisor's phone (a mainland mobile)
and DingTalk user id are where their personal notices go (SMS, DingTalk work
notice; see [notify] in skygrid.example.toml).`, &c)
	name := fs.String("name", "", "log-in name (required)")
	role := fs.String("role", "", "admin, auditor, official or supervisor (required)")
	region := fs.String("region", "", "scope: a county or township (official), grids, comma-separated (supervisor)")
	phone := fs.String("phone", "", "phone number: an 11-digit mainland mobile (+86 allowed) or a landline with its area code (0352-1234567)")
	dingtalkID := fs.String("dingtalk-id", "", "DingTalk user id (userid in the organisation), for DingTalk work notices")
	pwFile := fs.String("password-file", "", "read the password from this file's first line")
	if _, err := m.parse(fs, args); err != nil {
		return err
	}
	if *name == "" || *role == "" {
		return fmt.Errorf("user add: --name and --role are required")
	}
	pw, err := m.readPassword(*pwFile)
	if err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	hash, err := password.Hash(pw)
	if err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	u := &skygrid.User{Name: *name, Role: *role, Phone: *phone, DingTalkID: *dingtalkID}
	for _, r := range strings.Split(*region, ",") {
		if r = strings.TrimSpace(r); r != "" {
			u.Regions = append(u.Regions, r)
		}
	}
	db, _, err := m.open(&c)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.CreateUser(ctx, u, hash); err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	fmt.Fprintf(m.Stdout, "user %d %s: %s (%s) %s", u.ID, u.Name, u.Role, skygrid.RoleNames[u.Role], strings.Join(u.Regions, ","))
	if u.Phone != "" {
		fmt.Fprintf(m.Stdout, " phone %s", skygrid.MaskPhone(u.Phone))
	}
	if u.DingTalkID != "" {
		fmt.Fprintf(m.Stdout, " dingtalk %s", skygrid.MaskPhone(u.DingTalkID))
	}
	fmt.Fprintln(m.Stdout)
	return nil
}

// userArg reads the user a command is about: NAME or --name NAME.
func (m *UserCommand) userArg(fs *flag.FlagSet, args []string, name *string) error {
	pos, err := m.parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) == 1 && *name == "":
		*name = pos[0]
	case len(pos) > 1 || (len(pos) == 1 && *name != pos[0]):
		fs.Usage()
		return fmt.Errorf("%s: want one user name, got %q", fs.Name(), append(pos, *name))
	}
	if *name == "" {
		fs.Usage()
		return fmt.Errorf("%s: which user? (NAME or --name NAME)", fs.Name())
	}
	return nil
}

// disable: skygrid user disable|enable NAME
func (m *UserCommand) disable(ctx context.Context, verb string, args []string) error {
	var c common
	fs := m.newFlags("user "+verb, map[string]string{
		"disable": `Usage: skygrid user disable NAME

Stops a user's access at once: their sessions end, their API tokens are
refused (401) while disabled, and they cannot log in. Audited.`,
		"enable": `Usage: skygrid user enable NAME

Lets a disabled user log in again (and their unexpired, unrevoked API
tokens work again). Audited.`}[verb], &c)
	name := fs.String("name", "", "the user's log-in name")
	if err := m.userArg(fs, args, name); err != nil {
		return err
	}
	db, _, err := m.open(&c)
	if err != nil {
		return err
	}
	defer db.Close()
	u, _, err := db.UserLogin(ctx, *name)
	if err != nil {
		return fmt.Errorf("user %s: %w", verb, err)
	}
	if _, err := db.SetUserDisabled(ctx, u.ID, verb == "disable"); err != nil {
		return fmt.Errorf("user %s: %w", verb, err)
	}
	if verb == "disable" {
		fmt.Fprintf(m.Stdout, "user %d %s disabled: their sessions ended, their tokens are refused\n", u.ID, u.Name)
	} else {
		fmt.Fprintf(m.Stdout, "user %d %s enabled\n", u.ID, u.Name)
	}
	return nil
}

// passwd: skygrid user passwd NAME [--password-file FILE]
func (m *UserCommand) passwd(ctx context.Context, args []string) error {
	var c common
	fs := m.newFlags("user passwd", `Usage: skygrid user passwd NAME [--password-file FILE]

Sets a user's password: from --password-file (its first line) or, in a
terminal, a prompt (twice); at least 8 characters, stored as a bcrypt hash.
The user's sessions end (they log in again with the new password). Audited,
never the password.`, &c)
	name := fs.String("name", "", "the user's log-in name")
	pwFile := fs.String("password-file", "", "read the password from this file's first line")
	if err := m.userArg(fs, args, name); err != nil {
		return err
	}
	pw, err := m.readPassword(*pwFile)
	if err != nil {
		return fmt.Errorf("user passwd: %w", err)
	}
	hash, err := password.Hash(pw)
	if err != nil {
		return fmt.Errorf("user passwd: %w", err)
	}
	db, _, err := m.open(&c)
	if err != nil {
		return err
	}
	defer db.Close()
	u, _, err := db.UserLogin(ctx, *name)
	if err != nil {
		return fmt.Errorf("user passwd: %w", err)
	}
	n, err := db.SetPassword(ctx, u.ID, hash, "")
	if err != nil {
		return fmt.Errorf("user passwd: %w", err)
	}
	fmt.Fprintf(m.Stdout, "password of user %d %s changed; %d sessions ended\n", u.ID, u.Name, n)
	return nil
}

// dingtalkOf shows a user's DingTalk id masked.
func dingtalkOf(u *skygrid.User) string {
	if u.DingTalkID == "" {
		return ""
	}
	return "dingtalk:" + skygrid.MaskPhone(u.DingTalkID)
}

// readPassword reads the first line of file, or prompts in a terminal.
func (m *UserCommand) readPassword(file string) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", err
		}
		return strings.TrimRight(strings.SplitN(string(b), "\n", 2)[0], "\r"), nil
	}
	if f, ok := m.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(m.Stderr, "password: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(m.Stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(m.Stderr, "again: ")
		b2, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(m.Stderr)
		if err != nil {
			return "", err
		}
		if string(b) != string(b2) {
			return "", fmt.Errorf("the passwords differ")
		}
		return string(b), nil
	}
	// Not a terminal: the first line of standard input.
	line, err := bufio.NewReader(m.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("no password: give --password-file or type it at the prompt")
	}
	return strings.TrimRight(line, "\r\n"), nil
}
