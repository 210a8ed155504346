package dockerfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestContextFilter(t *testing.T) {
	dir := t.TempDir()
	in, err := ContextFilter(dir)
	if err != nil || !in("anything.md") {
		t.Fatalf("without an ignore file everything is in the context: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".dockerignore"), []byte("*.md\nreport.json\ndocs/\n!docs/keep.txt\nDockerfile\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	in, err = ContextFilter(dir)
	if err != nil {
		t.Fatal(err)
	}
	for rel, want := range map[string]bool{
		"main.py": true, "README.md": false, "report.json": false, "docs/a.txt": false,
		"docs/keep.txt": true, "Dockerfile": true, ".dockerignore": true, "app/x.md": true,
	} {
		if got := in(rel); got != want {
			t.Errorf("in(%q) = %v, want %v", rel, got, want)
		}
	}
	// BuildKit's Dockerfile.dockerignore wins over .dockerignore.
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile.dockerignore"), []byte("main.py\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if in, _ = ContextFilter(dir); in("main.py") || !in("README.md") {
		t.Error("Dockerfile.dockerignore is not the one used")
	}
}
