// Package tsgen writes TypeScript interfaces for Go types by reflection,
// as encoding/json writes them: the web app's types of the API's answers
// (frontend/src/api/types.gen.ts, made by api.WriteTypes).
//
// The rules follow encoding/json: a field's name is its json tag's (or
// the Go name); "-" and unexported fields are left out; embedded structs
// (and pointers to them) are flattened, a shallower field hiding a deeper
// one of the same name; omitempty (on the kinds it omits) and omitzero
// make a field optional; a pointer without them is T | null; time.Time is
// a string, a map a Record, an array of at most four a tuple. A slice is
// T[] and a map a Record, not null: encoding/json writes a nil one as
// null, so answers make theirs non-nil where the web app reads them. A type that
// marshals itself (json.Marshaler) needs a `ts:"..."` tag on the field
// saying its TypeScript type; the tag overrides any field's type.
package tsgen

import (
	"encoding"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"time"
)

// Field is a field of a generated interface.
type Field struct {
	Name     string
	Type     string
	Optional bool
}

// Interface is a generated interface: a named Go struct type.
type Interface struct {
	Name   string
	Go     string // the Go type, e.g. skygrid.Task
	Doc    string
	Fields []Field
}

// Generator collects the interfaces of the types added and of the named
// struct types they use.
type Generator struct {
	// Docs are comments written above interfaces, by interface name.
	Docs  map[string]string
	byGo  map[reflect.Type]string
	names map[string]reflect.Type
	out   []*Interface
	err   error
}

// New returns an empty generator.
func New() *Generator {
	return &Generator{Docs: map[string]string{}, byGo: map[reflect.Type]string{}, names: map[string]reflect.Type{}}
}

var (
	timeType      = reflect.TypeFor[time.Time]()
	durationType  = reflect.TypeFor[time.Duration]()
	marshalerType = reflect.TypeFor[json.Marshaler]()
	textType      = reflect.TypeFor[encoding.TextMarshaler]()
)

// Add adds the struct type of v (a value or a pointer to one).
func (g *Generator) Add(v any) {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t.Name() == "" {
		g.fail(fmt.Errorf("tsgen: %s is not a named struct type", t))
		return
	}
	g.named(t)
}

// Name is the interface name of v's type (added before).
func (g *Generator) Name(v any) string {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return g.byGo[t]
}

// Interfaces are the interfaces collected, in the order first met.
func (g *Generator) Interfaces() ([]*Interface, error) { return g.out, g.err }

func (g *Generator) fail(err error) {
	if g.err == nil {
		g.err = err
	}
}

// tsName is a Go type's interface name: its name with a capital first
// letter (eventTask -> EventTask).
func tsName(t reflect.Type) string {
	n := t.Name()
	return strings.ToUpper(n[:1]) + n[1:]
}

// named returns the interface name of a named struct type, generating
// the interface when first met.
func (g *Generator) named(t reflect.Type) string {
	if n, ok := g.byGo[t]; ok {
		return n
	}
	n := tsName(t)
	if other, ok := g.names[n]; ok && other != t {
		g.fail(fmt.Errorf("tsgen: two types named %s: %s and %s", n, other, t))
		return n
	}
	g.byGo[t], g.names[n] = n, t
	it := &Interface{Name: n, Go: t.String(), Doc: g.Docs[n]}
	g.out = append(g.out, it)
	it.Fields = g.fields(t)
	return n
}

// jsonField is a struct field as encoding/json sees it.
type jsonField struct {
	name   string
	tagged bool
	depth  int
	index  int // order of appearance
	f      reflect.StructField
	opts   string
}

// fields lists t's JSON fields, embedded structs flattened, by Go's rule:
// of the fields of one name the shallowest wins; among those, the tagged
// one; more than one left, the name is dropped.
func (g *Generator) fields(t reflect.Type) []Field {
	var all []jsonField
	collect(t, 0, map[reflect.Type]bool{}, &all)
	byName := map[string][]jsonField{}
	var order []string
	for _, f := range all {
		if _, ok := byName[f.name]; !ok {
			order = append(order, f.name)
		}
		byName[f.name] = append(byName[f.name], f)
	}
	var wins []jsonField
	for _, name := range order {
		if f, ok := dominant(byName[name]); ok {
			wins = append(wins, f)
		}
	}
	slices.SortStableFunc(wins, func(a, b jsonField) int { return a.index - b.index })
	out := make([]Field, 0, len(wins))
	for _, f := range wins {
		out = append(out, g.field(f))
	}
	return out
}

func dominant(fs []jsonField) (jsonField, bool) {
	minDepth := slices.MinFunc(fs, func(a, b jsonField) int { return a.depth - b.depth }).depth
	var at []jsonField
	for _, f := range fs {
		if f.depth == minDepth {
			at = append(at, f)
		}
	}
	if len(at) > 1 {
		var tagged []jsonField
		for _, f := range at {
			if f.tagged {
				tagged = append(tagged, f)
			}
		}
		at = tagged
	}
	if len(at) != 1 {
		return jsonField{}, false
	}
	return at[0], true
}

// collect appends t's fields at depth, descending into untagged embedded
// structs (each struct type once per path, as encoding/json does).
func collect(t reflect.Type, depth int, seen map[reflect.Type]bool, out *[]jsonField) {
	if seen[t] {
		return
	}
	seen[t] = true
	defer delete(seen, t)
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		ft := sf.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if sf.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			collect(ft, depth+1, seen, out)
			continue
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		*out = append(*out, jsonField{name: name, tagged: tag != "" && !strings.HasPrefix(tag, ","), depth: depth,
			index: len(*out), f: sf, opts: opts})
	}
}

func hasOpt(opts, o string) bool { return slices.Contains(strings.Split(opts, ","), o) }

// field is a JSON field's name, type and whether it may be absent.
func (g *Generator) field(f jsonField) Field {
	t := f.f.Type
	optional := hasOpt(f.opts, "omitzero") || (hasOpt(f.opts, "omitempty") && omittable(t))
	typ := f.f.Tag.Get("ts")
	switch {
	case typ == "":
		typ = g.typeOf(t, f.f)
		if t.Kind() == reflect.Pointer && !optional {
			typ += " | null"
		}
	case !marshals(t):
		g.typeOf(t, f.f) // the interfaces it names, e.g. ts:"StatsView" for a pointer never nil
	}
	return Field{Name: f.name, Type: typ, Optional: optional}
}

// marshals: t (or what it points to) writes its own JSON.
func marshals(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind() != reflect.Interface && (t.Implements(marshalerType) || t.Implements(textType) || reflect.PointerTo(t).Implements(marshalerType))
}

// omittable: the kinds omitempty leaves out when empty.
func omittable(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Struct:
		return false
	case reflect.Array:
		return t.Len() == 0
	}
	return true
}

// typeOf is the TypeScript type of a Go type (sf names the field, for
// errors).
func (g *Generator) typeOf(t reflect.Type, sf reflect.StructField) string {
	switch {
	case t == timeType:
		return "string"
	case t == durationType:
		return "number"
	}
	if t.Kind() != reflect.Pointer && marshals(t) {
		g.fail(fmt.Errorf("tsgen: field %s (%s) marshals itself: give its TypeScript type in a ts tag", sf.Name, t))
		return "unknown"
	}
	switch t.Kind() {
	case reflect.Bool:
		return "boolean"
	case reflect.String:
		return "string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16,
		reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Pointer:
		return g.typeOf(t.Elem(), sf)
	case reflect.Interface:
		return "unknown"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "string" // base64
		}
		return g.elem(t.Elem(), sf) + "[]"
	case reflect.Array:
		if t.Len() <= 4 {
			es := make([]string, t.Len())
			for i := range es {
				es[i] = g.typeOf(t.Elem(), sf)
			}
			return "[" + strings.Join(es, ", ") + "]"
		}
		return g.elem(t.Elem(), sf) + "[]"
	case reflect.Map:
		return "Record<string, " + g.typeOf(t.Elem(), sf) + ">"
	case reflect.Struct:
		if t.Name() == "" {
			return g.inline(t)
		}
		return g.named(t)
	}
	g.fail(fmt.Errorf("tsgen: field %s: no TypeScript type for %s", sf.Name, t))
	return "unknown"
}

// elem is an element type, in parentheses when it is a union.
func (g *Generator) elem(t reflect.Type, sf reflect.StructField) string {
	s := g.typeOf(t, sf)
	if strings.Contains(s, "|") {
		return "(" + s + ")"
	}
	return s
}

// inline writes an anonymous struct as an object type.
func (g *Generator) inline(t reflect.Type) string {
	var b strings.Builder
	b.WriteString("{ ")
	for _, f := range g.fields(t) {
		fmt.Fprintf(&b, "%s; ", f.String())
	}
	b.WriteString("}")
	return b.String()
}

func (f Field) String() string {
	name := f.Name
	if !isIdent(name) {
		name = fmt.Sprintf("%q", name)
	}
	if f.Optional {
		return name + "?: " + f.Type
	}
	return name + ": " + f.Type
}

func isIdent(s string) bool {
	for i, r := range s {
		if !(r == '_' || r == '$' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

// Write writes the interfaces collected, sorted by name, after header
// (each of its lines a // comment).
func (g *Generator) Write(w io.Writer, header string) error {
	its, err := g.Interfaces()
	if err != nil {
		return err
	}
	its = slices.Clone(its)
	slices.SortFunc(its, func(a, b *Interface) int { return strings.Compare(a.Name, b.Name) })
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(header, "\n"), "\n") {
		b.WriteString(strings.TrimRight("// "+l, " ") + "\n")
	}
	for _, it := range its {
		b.WriteString("\n")
		doc := "Go: " + it.Go + "."
		if it.Doc != "" {
			doc += " " + it.Doc
		}
		b.WriteString("/** " + doc + " */\n")
		fmt.Fprintf(&b, "export interface %s {\n", it.Name)
		for _, f := range it.Fields {
			fmt.Fprintf(&b, "  %s;\n", f)
		}
		b.WriteString("}\n")
	}
	_, err = io.WriteString(w, b.String())
	return err
}
