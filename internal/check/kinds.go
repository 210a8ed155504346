package check

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"shipshape/internal/termsafe"
)

// paramType is the type a kind's parameter must have.
type paramType int

const (
	paramInt    paramType = iota // a whole number (YAML int, or a float with no fraction)
	paramNumber                  // any number
	paramString
	paramStringList // a list of strings
)

func (t paramType) String() string {
	switch t {
	case paramInt:
		return "a whole number"
	case paramNumber:
		return "a number"
	case paramStringList:
		return "a list of strings"
	default:
		return "a string"
	}
}

type paramDef struct {
	typ      paramType
	required bool
	// oneOf, when set, lists the values a string parameter may take.
	oneOf []string
}

// params holds a spec's validated parameters: numbers as float64, strings
// as string.
type params map[string]any

func (p params) num(name string) (float64, bool) {
	v, ok := p[name].(float64)
	return v, ok
}

func (p params) str(name, def string) string {
	if v, ok := p[name].(string); ok && v != "" {
		return v
	}
	return def
}

// kind is one check kind: its parameters, title and evaluation.
type kind struct {
	params map[string]paramDef
	// docker is true for kinds that need a Docker engine.
	docker bool
	title  func(params) string
	eval   func(ctx context.Context, en *env, p params) verdict
	// validate, when set, checks converted params further (ranges,
	// patterns) so that mistakes surface when a pack is loaded.
	validate func(params) error
	// app says whether the kind judges the attempt's shared container.
	app appUse
}

func fixedTitle(s string) func(params) string { return func(params) string { return s } }

// kinds is the registry. It is filled in init functions of the files that
// implement each kind, and never changed afterwards.
var kinds = map[string]*kind{}

// Kinds lists the known kinds, sorted.
func Kinds() []string {
	out := make([]string, 0, len(kinds))
	for k := range kinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// NeedsDocker reports whether a kind talks to the Docker engine.
func NeedsDocker(kind string) bool {
	k, ok := kinds[kind]
	return ok && k.docker
}

// ValidateParams checks a kind's parameters: unknown names, wrong types
// and missing required parameters are errors naming the parameter.
func ValidateParams(kind string, p map[string]any) error {
	k, ok := kinds[kind]
	if !ok {
		return fmt.Errorf("unknown check kind %q (known: %s)", kind, strings.Join(Kinds(), ", "))
	}
	_, err := parseParams(k, p)
	return err
}

func parseParams(k *kind, raw map[string]any) (params, error) {
	out := params{}
	names := make([]string, 0, len(raw))
	for name := range raw {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		def, ok := k.params[name]
		if !ok {
			if len(k.params) == 0 {
				return nil, fmt.Errorf("unknown parameter %q: this kind takes no parameters", name)
			}
			return nil, fmt.Errorf("unknown parameter %q (expected one of: %s)", name, strings.Join(paramNames(k), ", "))
		}
		v, err := convertParam(def.typ, raw[name])
		if err != nil {
			return nil, fmt.Errorf("parameter %q: %w", name, err)
		}
		if s, ok := v.(string); ok && len(def.oneOf) > 0 && !slices.Contains(def.oneOf, s) {
			return nil, fmt.Errorf("parameter %q: %q is not one of %s", name, termsafe.Line(s), strings.Join(def.oneOf, ", "))
		}
		out[name] = v
	}
	for _, name := range paramNames(k) {
		if k.params[name].required {
			if _, ok := out[name]; !ok {
				return nil, fmt.Errorf("missing required parameter %q", name)
			}
		}
	}
	if k.validate != nil {
		if err := k.validate(out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func paramNames(k *kind) []string {
	names := make([]string, 0, len(k.params))
	for n := range k.params {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func convertParam(t paramType, v any) (any, error) {
	if t == paramStringList {
		return convertStringList(v)
	}
	if t == paramString {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("must be %s, not %T", t, v)
		}
		return s, nil
	}
	var f float64
	switch n := v.(type) {
	case int:
		f = float64(n)
	case int64:
		f = float64(n)
	case uint64:
		f = float64(n)
	case float64:
		f = n
	default:
		return nil, fmt.Errorf("must be %s, not %T", t, v)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return nil, fmt.Errorf("must be a non-negative number, not %v", v)
	}
	if t == paramInt && f != math.Trunc(f) {
		return nil, fmt.Errorf("must be %s, not %v", t, v)
	}
	return f, nil
}

// clean makes text from containers and files safe to print on a terminal.
func clean(s string) string { return termsafe.Text(s) }

// convertStringList accepts a YAML sequence of strings as []string.
func convertStringList(v any) ([]string, error) {
	switch l := v.(type) {
	case []string:
		return append([]string(nil), l...), nil
	case []any:
		out := make([]string, 0, len(l))
		for i, e := range l {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("item %d must be a string, not %T (quote it in YAML)", i+1, e)
			}
			out = append(out, s)
		}
		return out, nil
	default:
		return nil, fmt.Errorf("must be %s, not %T", paramStringList, v)
	}
}
