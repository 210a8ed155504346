package check

import (
	"strings"
	"testing"
)

func TestCommandParams(t *testing.T) {
	argv := []any{"id", "-u"}
	ok := []map[string]any{
		{"argv": argv},
		{"argv": []any{"true"}, "image": "dev", "exit_code": 3, "stdout": `^\d+$`, "stderr": "", "timeout_seconds": 120},
		{"argv": []string{"sh", "-c", "echo hi"}, "timeout_seconds": 1},
	}
	for _, p := range ok {
		if err := ValidateParams("container.command", p); err != nil {
			t.Errorf("%v: %v", p, err)
		}
	}
	many := make([]any, 65)
	for i := range many {
		many[i] = "x"
	}
	bad := []struct {
		params map[string]any
		want   string
	}{
		{map[string]any{}, `missing required parameter "argv"`},
		{map[string]any{"argv": []any{}}, `parameter "argv"`},
		{map[string]any{"argv": "id -u"}, "must be a list of strings"},
		{map[string]any{"argv": []any{"id", 3}}, "item 2 must be a string"},
		{map[string]any{"argv": many}, "at most 64"},
		{map[string]any{"argv": []any{""}}, "must not be empty"},
		{map[string]any{"argv": []any{"a\x00b"}}, "NUL"},
		{map[string]any{"argv": argv, "image": "host"}, `parameter "image"`},
		{map[string]any{"argv": argv, "exit_code": 256}, `parameter "exit_code"`},
		{map[string]any{"argv": argv, "exit_code": -1}, `parameter "exit_code"`},
		{map[string]any{"argv": argv, "exit_code": 1.5}, `parameter "exit_code"`},
		{map[string]any{"argv": argv, "timeout_seconds": 0}, `parameter "timeout_seconds"`},
		{map[string]any{"argv": argv, "timeout_seconds": 121}, `parameter "timeout_seconds"`},
		{map[string]any{"argv": argv, "stdout": "(unclosed"}, `parameter "stdout": not a valid regular expression`},
		{map[string]any{"argv": argv, "stderr": `\p{Nope}`}, `parameter "stderr": not a valid regular expression`},
	}
	for _, tc := range bad {
		err := ValidateParams("container.command", tc.params)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want it to mention %s", tc.params, err, tc.want)
		}
	}
}

// TestCommandRefusesHostResources: the schema has no way to ask for host
// resources; every such attempt is an unknown parameter, named.
func TestCommandRefusesHostResources(t *testing.T) {
	hostile := map[string]any{
		"privileged":      true,
		"mounts":          []any{"/:/host"},
		"volumes":         []any{"/var/run/docker.sock:/var/run/docker.sock"},
		"binds":           []any{"/etc:/etc"},
		"network":         "host",
		"network_mode":    "host",
		"pid":             "host",
		"ipc":             "host",
		"cap_add":         []any{"SYS_ADMIN"},
		"devices":         []any{"/dev/sda"},
		"env":             map[string]any{"AWS_SECRET_ACCESS_KEY": "x"},
		"env_passthrough": true,
		"docker_socket":   true,
		"user":            "root",
		"security_opt":    []any{"seccomp=unconfined"},
		"entrypoint":      []any{"/bin/sh"},
		"workdir":         "/host",
		"host":            true,
		"shell":           "sh -c 'rm -rf /'",
	}
	for name, v := range hostile {
		err := ValidateParams("container.command", map[string]any{"argv": []any{"id"}, name: v})
		if err == nil {
			t.Errorf("%s accepted", name)
			continue
		}
		if want := `unknown parameter "` + name + `"`; !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v; want %s", name, err, want)
		}
	}
}

func TestCommandTitleAndEvidence(t *testing.T) {
	c, err := Build(Spec{ID: "c", Kind: "container.command", Params: map[string]any{"argv": []any{"sh", "-c", "echo $HOME"}, "exit_code": 2}})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Title(); got != "`sh -c \"echo $HOME\"` exits 2" {
		t.Errorf("title %q", got)
	}
	ev := outputEvidence(CommandResult{Stdout: "a\nb\nc\nd\ne\nf\ng\n", Stderr: "\x1b]52;c;AAAA\x07oops\n"})
	all := strings.Join(ev, "\n")
	if !strings.Contains(all, "stdout: a") || !strings.Contains(all, "(2 more lines)") || strings.Contains(all, "\x1b") || !strings.Contains(all, "stderr: oops") {
		t.Errorf("evidence %q", all)
	}
}
