package workspace

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ConfigName), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestLoadConfig(t *testing.T) {
	c, err := LoadConfig(t.TempDir())
	if err != nil || c.Build.Args != nil {
		t.Fatalf("no file: %+v, %v", c, err)
	}
	c, err = LoadConfig(writeConfig(t, "build:\n  args:\n    BASE_IMAGE: mirror.local/python:3.13-slim\n"))
	if err != nil || c.Build.Args["BASE_IMAGE"] != "mirror.local/python:3.13-slim" {
		t.Fatalf("%+v, %v", c, err)
	}
	for name, body := range map[string]string{
		"unknown field":  "build:\n  argz: {}\n",
		"bad arg name":   "build:\n  args:\n    1X: y\n",
		"control chars":  "build:\n  args:\n    X: \"a\\x1b[2Jb\"\n",
		"not yaml":       "build: [\n",
		"too many":       "build:\n  args:\n" + strings.Repeat("    A%d: x\n", 1),
		"binary escapes": "build:\n  args:\n    X: !!binary G1sySg==\n",
	} {
		if name == "too many" {
			var b strings.Builder
			b.WriteString("build:\n  args:\n")
			for i := 0; i <= maxBuildArgs; i++ {
				b.WriteString("    A" + strings.Repeat("x", i) + ": v\n")
			}
			body = b.String()
		}
		if _, err := LoadConfig(writeConfig(t, body)); err == nil || !strings.Contains(err.Error(), ConfigName) {
			t.Errorf("%s: err = %v, want one naming %s", name, err, ConfigName)
		}
	}
}

func TestMergeArgs(t *testing.T) {
	got := MergeArgs(map[string]string{"A": "file", "B": "file"}, map[string]string{"B": "flag"})
	if got["A"] != "file" || got["B"] != "flag" || len(got) != 2 {
		t.Errorf("%v", got)
	}
	if MergeArgs(nil, nil) != nil {
		t.Error("want nil for no args")
	}
}
