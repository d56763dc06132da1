package tsgen

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

type inner struct {
	A string `json:"a"`
	// Hidden by outer's B (shallower).
	B int `json:"b"`
}

type outer struct {
	*inner
	B       string            `json:"b,omitempty"`
	Skip    string            `json:"-"`
	private string            // left out: unexported
	At      time.Time         `json:"at"`
	Maybe   time.Time         `json:"maybe,omitzero"`
	Ptr     *int              `json:"ptr"`
	OptPtr  *int              `json:"opt_ptr,omitempty"`
	Tags    []string          `json:"tags,omitempty"`
	Counts  map[string]int    `json:"counts"`
	Box     [4]float64        `json:"box"`
	Raw     json.RawMessage   `json:"raw" ts:"unknown"`
	Any     any               `json:"any,omitempty"`
	Untag   bool              // named by Go
	Kids    []*inner          `json:"kids"`
	Anon    struct{ X int }   `json:"anon"`
	ByInt   map[int][]float64 `json:"by_int"`
	Stamp   time.Time         `json:"stamp,omitempty"` // omitempty does not omit a struct
	Sure    *named            `json:"sure" ts:"Named"` // the tag's type, and Named generated
}

type named struct {
	N int `json:"n"`
}

func TestFields(t *testing.T) {
	g := New()
	g.Add(&outer{})
	its, err := g.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, it := range its {
		for _, f := range it.Fields {
			got[it.Name+"."+f.Name] = f.String()
		}
	}
	tests := []struct{ name, field, want string }{
		{"embedded flattened", "Outer.a", "a: string"},
		{"shallower wins", "Outer.b", "b?: string"},
		{"time is a string", "Outer.at", "at: string"},
		{"omitzero optional", "Outer.maybe", "maybe?: string"},
		{"pointer null", "Outer.ptr", "ptr: number | null"},
		{"pointer omitempty optional", "Outer.opt_ptr", "opt_ptr?: number"},
		{"slice", "Outer.tags", "tags?: string[]"},
		{"map", "Outer.counts", "counts: Record<string, number>"},
		{"tuple", "Outer.box", "box: [number, number, number, number]"},
		{"ts tag", "Outer.raw", "raw: unknown"},
		{"interface", "Outer.any", "any?: unknown"},
		{"untagged", "Outer.Untag", "Untag: boolean"},
		{"named elements", "Outer.kids", "kids: Inner[]"},
		{"anonymous struct", "Outer.anon", "anon: { X: number; }"},
		{"int keys", "Outer.by_int", "by_int: Record<string, number[]>"},
		{"omitempty struct", "Outer.stamp", "stamp: string"},
		{"named type kept", "Inner.b", "b: number"},
		{"ts tag on a pointer", "Outer.sure", "sure: Named"},
		{"tagged type still generated", "Named.n", "n: number"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got[tc.field] != tc.want {
				t.Errorf("%s = %q, want %q", tc.field, got[tc.field], tc.want)
			}
		})
	}
	for _, absent := range []string{"Outer.Skip", "Outer.private", "Outer.inner", "Outer.Stamp"} {
		if _, ok := got[absent]; ok {
			t.Errorf("%s generated, want it left out", absent)
		}
	}
}

type selfMarshal struct{}

func (selfMarshal) MarshalJSON() ([]byte, error) { return []byte("1"), nil }

type needsTag struct {
	S selfMarshal `json:"s"`
}

type dup struct {
	A inner `json:"a"`
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name string
		add  []any
		want string
	}{
		{"marshaler without ts tag", []any{needsTag{}}, "ts tag"},
		{"not a struct", []any{42}, "not a named struct"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := New()
			for _, v := range tc.add {
				g.Add(v)
			}
			var b strings.Builder
			err := g.Write(&b, "x")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one saying %q", err, tc.want)
			}
		})
	}
}

func TestWrite(t *testing.T) {
	g := New()
	g.Docs["Dup"] = "A doc."
	g.Add(dup{})
	var b strings.Builder
	if err := g.Write(&b, "generated\nline two"); err != nil {
		t.Fatal(err)
	}
	want := "// generated\n// line two\n\n/** Go: tsgen.dup. A doc. */\nexport interface Dup {\n  a: Inner;\n}\n\n" +
		"/** Go: tsgen.inner. */\nexport interface Inner {\n  a: string;\n  b: number;\n}\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
