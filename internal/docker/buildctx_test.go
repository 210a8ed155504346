package docker

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestWriteContextHonoursDockerignore(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"Dockerfile":        "FROM scratch\n",
		".dockerignore":     "Dockerfile\n.dockerignore\n.git\n.env\n**/__pycache__\nvenv/\ndocs/*\n!docs/keep.md\n",
		".env":              "SECRET=1\n",
		".git/HEAD":         "ref\n",
		"app/main.py":       "print()\n",
		"app/__pycache__/x": "pyc\n",
		"venv/bin/python":   "#!\n",
		"docs/drop.md":      "x\n",
		"docs/keep.md":      "x\n",
		"requirements.txt":  "fastapi\n",
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := writeContext(&buf, dir, dockerfileSource{name: "Dockerfile"}); err != nil {
		t.Fatal(err)
	}
	var got []string
	tr := tar.NewReader(&buf)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			got = append(got, h.Name)
		}
		if h.Uid != 0 || h.Gid != 0 {
			t.Errorf("%s owned by %d:%d, want 0:0", h.Name, h.Uid, h.Gid)
		}
	}
	slices.Sort(got)
	want := []string{".dockerignore", "Dockerfile", "app/main.py", "docs/keep.md", "requirements.txt"}
	if !slices.Equal(got, want) {
		t.Errorf("context holds %v, want %v", got, want)
	}
}

func TestWriteContextWithoutDockerignore(t *testing.T) {
	dir := t.TempDir()
	_ = os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\n"), 0o644)
	_ = os.Mkdir(filepath.Join(dir, ".git"), 0o755)
	_ = os.WriteFile(filepath.Join(dir, ".git", "HEAD"), []byte("x"), 0o644)
	var buf bytes.Buffer
	if err := writeContext(&buf, dir, dockerfileSource{name: "Dockerfile"}); err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(&buf)
	n := 0
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		if h.Name == ".git/HEAD" || h.Name == "Dockerfile" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("without .dockerignore everything is sent; found %d of 2 files", n)
	}
}
