package course

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// decodeStrict decodes YAML into v, refusing unknown fields, and also returns
// the node tree so validation can name the line of any field. lineOffset is
// added to the line numbers of YAML errors (front matter starts below the
// opening "---").
func decodeStrict(data []byte, v any, lineOffset int) (*yaml.Node, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, shiftYAMLError(err, lineOffset)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return nil, shiftYAMLError(err, lineOffset)
	}
	if len(root.Content) == 0 {
		return &yaml.Node{Kind: yaml.MappingNode}, nil
	}
	return root.Content[0], nil
}

// yamlLine finds "line N" in the YAML library's messages. The library
// reports positions only in its message text; we only shift the number so it
// counts from the top of the file, and keep the rest of the message as is.
var yamlLine = regexp.MustCompile(`line (\d+)`)

// yamlError is a YAML problem with its file line.
type yamlError struct {
	line int
	msg  string
}

func (e *yamlError) Error() string { return e.msg }

func shiftYAMLError(err error, offset int) error {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: ")
	line := 0
	msg = yamlLine.ReplaceAllStringFunc(msg, func(m string) string {
		n, _ := strconv.Atoi(m[len("line "):])
		if line == 0 {
			line = n + offset
		}
		return "line " + strconv.Itoa(n+offset)
	})
	// "unmarshal errors:\n  line 3: ..." reads badly in one line.
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
	if line > 0 {
		msg = strings.TrimPrefix(msg, "line "+strconv.Itoa(line)+": ")
	}
	return &yamlError{line: line, msg: friendlyYAML(msg)}
}

// unknownField and typeMismatch match the YAML library's wording, which
// names Go types an author has never seen.
var (
	unknownField = regexp.MustCompile(`field (\S+) not found in type course\.(\w+)`)
	typeMismatch = regexp.MustCompile("cannot unmarshal !!(\\w+) `?([^`]*)`? into (\\S+)")
)

// yamlPlaces names the parts of a pack for authors, with their fields.
var yamlPlaces = map[string]struct {
	name string
	v    any
}{
	"manifest":      {"pack.yaml", manifest{}},
	"workspaceYAML": {"workspace", workspaceYAML{}},
	"frontMatter":   {"the front matter", frontMatter{}},
	"exerciseYAML":  {"the exercise", exerciseYAML{}},
	"checkYAML":     {"a check", checkYAML{}},

	"checklistSectionYAML": {"a checklist section", checklistSectionYAML{}},
	"checklistItemYAML":    {"a checklist item", checklistItemYAML{}},
	"checklistCheckYAML":   {"a checklist item's check", checklistCheckYAML{}},
}

func friendlyYAML(msg string) string {
	if m := unknownField.FindStringSubmatch(msg); m != nil {
		if place, ok := yamlPlaces[m[2]]; ok {
			return fmt.Sprintf("unknown field %q in %s (its fields are: %s)", m[1], place.name, strings.Join(yamlFields(place.v), ", "))
		}
	}
	if m := typeMismatch.FindStringSubmatch(msg); m != nil {
		kinds := map[string]string{"seq": "a list", "map": "a mapping", "str": "text", "int": "a number", "bool": "true or false", "float": "a number"}
		want := map[string]string{"string": "text", "int": "a whole number", "[]string": "a list of texts", "bool": "true or false"}
		got, wanted := kinds[m[1]], want[m[3]]
		if got == "" {
			got = m[1]
		}
		if wanted == "" {
			wanted = "another kind of value"
		}
		if m[2] != "" {
			got += " (" + m[2] + ")"
		}
		return fmt.Sprintf("expected %s here, found %s", wanted, got)
	}
	return msg
}

// yamlFields lists the YAML names of a struct's fields.
func yamlFields(v any) []string {
	t := reflect.TypeOf(v)
	var out []string
	for i := 0; i < t.NumField(); i++ {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); name != "" {
			out = append(out, name)
		}
	}
	return out
}

// lineOf returns the line of the value at path (mapping keys as strings,
// sequence indexes as ints) below n, or the closest enclosing node's line.
func lineOf(n *yaml.Node, offset int, path ...any) int {
	line := n.Line
	cur := n
	for _, p := range path {
		var next *yaml.Node
		switch key := p.(type) {
		case string:
			if cur.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(cur.Content); i += 2 {
					if cur.Content[i].Value == key {
						next = cur.Content[i+1]
						// A key's own line reads better than a block value's first line.
						line = cur.Content[i].Line
						break
					}
				}
			}
		case int:
			if cur.Kind == yaml.SequenceNode && key >= 0 && key < len(cur.Content) {
				next = cur.Content[key]
				line = next.Line
			}
		}
		if next == nil {
			break
		}
		cur = next
	}
	if line == 0 {
		return 0
	}
	return line + offset
}

// binaryTags finds the lines of !!binary scalars under n. A binary value
// decodes to arbitrary bytes, so it would carry control characters (C1
// bytes such as 0x9b, which start terminal escapes) past the text checks,
// which see only what the YAML says, not what it decodes to.
func binaryTags(n *yaml.Node) []int {
	if n == nil {
		return nil
	}
	var lines []int
	if n.Kind == yaml.ScalarNode && (n.Tag == "!!binary" || n.Tag == "tag:yaml.org,2002:binary") {
		lines = append(lines, n.Line)
	}
	for _, c := range n.Content {
		lines = append(lines, binaryTags(c)...)
	}
	return lines
}
