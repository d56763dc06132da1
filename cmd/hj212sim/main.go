// Command hj212sim points simulated HJ 212 dust monitors (示例) at a
// running receiver: the demo fleet, the monitors of a CSV, or N invented
// ones. See internal/hj212sim.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"skygrid/internal/hj212sim"
)

const usage = `hj212sim: simulated site dust monitors (扬尘监测仪模拟, 示例) over HJ 212-2017

Usage: hj212sim -addr HOST:PORT (-scenario demo | -monitors FILE | -n N) [flags]

连接正在运行的 HJ 212 接收端 (skygrid serve --hj212 ADDR)，每台模拟设备每模拟分钟
发送一个分钟数据包 (CN 2051，或 -realtime 时 CN 2011)，要求应答 (9014)，未应答则
重连后以同一 QN 重发；空闲时发送心跳。数值为示例：以大同六个国控点的 PM10 为基准，
加日变化、工地增量与噪声。

Connects to a running HJ 212 receiver; each simulated device sends a minute
packet (CN 2051, or CN 2011 with -realtime) per simulated minute asking for
the 9014 answer, resends an unanswered packet with the same QN after
reconnecting, and sends heartbeats when idle. Values are invented (示例):
Datong's stations' PM10 level, a daily shape, the site's excess, noise.

  -scenario demo   the demo's construction sites, one monitor each: a few
                   exceed, one goes silent, one sticks, one sends a Modbus CRC
  -monitors FILE   the monitors of a CSV (MN,PW,name,lon,lat,site,kind,
                   video_url,snapshot_url,lenient)
  -n N             N invented monitors SIM00001... (password 123456)
  -write-monitors FILE   write the chosen monitors as the CSV that
                   'skygrid import monitors' reads, and exit

Flags:
`

const examples = `
Examples:
  hj212sim -scenario demo -write-monitors demo-monitors.csv
  skygrid import monitors demo-monitors.csv
  hj212sim -addr 127.0.0.1:9212 -scenario demo
  hj212sim -addr 127.0.0.1:9212 -n 5000 -rate 2000 -duration 60s -realtime
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "hj212sim:", err)
		os.Exit(1)
	}
}

type options struct {
	addr, monitors, scenario, write string
	n                               int
	rate, speed                     float64
	duration                        time.Duration
	realtime                        bool
	seed                            uint64
}

func parse(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("hj212sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
		fmt.Fprint(stderr, examples)
	}
	fs.StringVar(&o.addr, "addr", "", "the receiver's HJ 212 address, HOST:PORT (接收端地址)")
	fs.StringVar(&o.monitors, "monitors", "", "a monitors CSV to simulate (设备清单 CSV)")
	fs.StringVar(&o.scenario, "scenario", "", "demo: the demo's construction sites (示例场景)")
	fs.StringVar(&o.write, "write-monitors", "", "write the monitors CSV to FILE and exit (导出设备清单)")
	fs.IntVar(&o.n, "n", 0, "simulate N invented monitors (模拟设备数)")
	fs.Float64Var(&o.rate, "rate", 0, "packets per second of the whole fleet; sets the clock's speed (总发包速率)")
	fs.Float64Var(&o.speed, "speed", 1, "simulated seconds per real second, when -rate is not set (时间压缩倍数)")
	fs.DurationVar(&o.duration, "duration", 0, "stop after this long (real time); 0 runs until interrupted (运行时长)")
	fs.BoolVar(&o.realtime, "realtime", false, "send real-time packets (CN 2011) instead of minute data (实时数据)")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the values' noise (随机种子)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	chosen := 0
	for _, set := range []bool{o.monitors != "", o.scenario != "", o.n > 0} {
		if set {
			chosen++
		}
	}
	switch {
	case chosen != 1:
		return o, errors.New("choose the monitors: one of -scenario demo, -monitors FILE, -n N")
	case o.scenario != "" && o.scenario != "demo":
		return o, fmt.Errorf("-scenario %q: the only scenario is demo", o.scenario)
	case o.write == "" && o.addr == "":
		return o, errors.New("-addr HOST:PORT is required (the receiver's HJ 212 address)")
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	devs, err := devices(o)
	if err != nil {
		return err
	}
	if o.write != "" {
		return writeMonitors(o.write, devs)
	}
	if o.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.duration)
		defer cancel()
	}
	f := &hj212sim.Fleet{Addr: o.addr, Devices: devs, Clock: hj212sim.Clock{Start: time.Now().UTC(), Speed: o.speed},
		Rate: o.rate, Seed: o.seed}
	fmt.Fprintf(stdout, "hj212sim: %d monitors (示例) to %s\n", len(devs), o.addr)
	began := time.Now()
	err = f.Run(ctx)
	c := f.Counts()
	secs := time.Since(began).Seconds()
	fmt.Fprintf(stdout, "sent %d packets (%.0f/s), answered %d, resent %d, heartbeats %d\n",
		c.Sent, float64(c.Sent)/secs, c.Answered, c.Resent, c.Heartbeats)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// devices builds the monitors the options chose.
func devices(o options) ([]hj212sim.Device, error) {
	var devs []hj212sim.Device
	switch {
	case o.scenario == "demo":
		sites, err := hj212sim.DemoSites()
		if err != nil {
			return nil, err
		}
		devs = hj212sim.DemoScenario(sites)
	case o.monitors != "":
		f, err := os.Open(o.monitors)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if devs, err = hj212sim.ReadMonitorsCSV(f, o.monitors); err != nil {
			return nil, err
		}
	default:
		for i := 1; i <= o.n; i++ {
			devs = append(devs, hj212sim.Device{MN: fmt.Sprintf("SIM%05d", i), PW: hj212sim.DemoPW,
				Name: fmt.Sprintf("示例模拟设备%05d", i), Profile: hj212sim.Profile{Excess: float64(10 + i%31)}})
		}
	}
	if o.realtime {
		for i := range devs {
			devs[i].CN = "2011"
		}
	}
	return devs, nil
}

func writeMonitors(name string, devs []hj212sim.Device) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := hj212sim.WriteMonitorsCSV(f, devs); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	return f.Close()
}
