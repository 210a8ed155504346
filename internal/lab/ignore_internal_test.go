package lab

import "testing"

func TestIgnoredFile(t *testing.T) {
	for name, want := range map[string]bool{
		"Dockerfile": false, ".dockerignore": false, "main.py": false, "sedmain": false,
		"Dockerfile~": true, ".Dockerfile.swp": true, "4913": true, ".#main.py": true, "#main.py#": true,
		"sed4lizxQ": true, "Dockerfile.shipshape-tmp": true, "main.py___jb_tmp___": true, "x.pyc": true,
	} {
		if got := ignoredFile(name); got != want {
			t.Errorf("ignoredFile(%q) = %v, want %v", name, got, want)
		}
	}
}
