package course

import (
	"bytes"
	"errors"
	"io"
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
	return &yamlError{line: line, msg: msg}
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
