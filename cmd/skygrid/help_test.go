package main

import (
	"context"
	"errors"
	"flag"
	"strings"
	"testing"
)

// Every command is a type with a usage that has examples: skygrid help
// CMD prints it, skygrid CMD -h prints its examples (after the flags, for
// a command without verbs) and ends as -h does (exit status 2).
func TestHelpShowsExamples(t *testing.T) {
	for _, name := range commandNames {
		t.Run(name, func(t *testing.T) {
			m, out, errb := testMain()
			cmd := m.command(name)
			if cmd == nil {
				t.Fatalf("no command %s", name)
			}
			u := cmd.Usage()
			if !strings.HasPrefix(u, "Usage: skygrid "+name) || !strings.Contains(u, "\nExamples:\n  skygrid ") {
				t.Errorf("usage of %s has no form or no examples:\n%s", name, u)
			}
			if !strings.Contains(usage, "\n  "+name+" ") {
				t.Errorf("%s is not in the usage text", name)
			}
			if err := m.Run(context.Background(), []string{"help", name}); err != nil || out.String() != u {
				t.Errorf("help %s: %v\n%s", name, err, out)
			}
			err := m.Run(context.Background(), []string{name, "-h"})
			if !errors.Is(err, flag.ErrHelp) || !strings.Contains(errb.String(), examplesOf(u)) {
				t.Errorf("%s -h: %v\n%s", name, err, errb)
			}
		})
	}
	m, out, _ := testMain()
	if err := m.Run(context.Background(), []string{"help"}); err != nil || !strings.Contains(out.String(), "Examples:\n  skygrid demo") {
		t.Errorf("help: %v\n%s", err, out)
	}
	if err := m.Run(context.Background(), []string{"help", "nope"}); err == nil || !strings.Contains(err.Error(), `unknown command "nope"`) {
		t.Errorf("help nope: %v", err)
	}
}
