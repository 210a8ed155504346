package grade

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStudentID(t *testing.T) {
	for _, tc := range []struct{ name, id, err string }{
		{"ann", "ann", ""},
		{"Ann Lee", "Ann-Lee", ""},
		{"jane.doe@uni.edu", "jane.doe-uni.edu", ""},
		{"../../etc/passwd", "etc-passwd", ""},
		{".hidden", "hidden", ""},
		{"Zoë", "Zo", ""},
		{"a\x1b[31mred", "a-31mred", ""},
		{strings.Repeat("x", 100), strings.Repeat("x", maxIDLength), ""},
		{"...", "", "no letters or digits"},
		{"日本", "", "no letters or digits"},
		{"Gradebook", "", "which the gradebook uses"},
	} {
		id, err := StudentID(tc.name)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("StudentID(%q) = %q, %v; want an error with %q", tc.name, id, err, tc.err)
			}
			continue
		}
		if err != nil || id != tc.id {
			t.Errorf("StudentID(%q) = %q, %v; want %q", tc.name, id, err, tc.id)
		}
	}
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReadRosterDirectory(t *testing.T) {
	dir := t.TempDir()
	for _, s := range []string{"bob", "ann", "Cat Lee", ".git"} {
		if err := os.Mkdir(filepath.Join(dir, s), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write(t, filepath.Join(dir, "README.md"), "not a student")
	got, err := ReadRoster(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range got {
		names = append(names, s.Name+"="+s.ID)
		if s.Dir != filepath.Join(dir, s.Name) {
			t.Errorf("%s: dir %s", s.Name, s.Dir)
		}
	}
	if j := strings.Join(names, ","); j != "Cat Lee=Cat-Lee,ann=ann,bob=bob" {
		t.Errorf("students %s", j)
	}
}

func TestReadRosterCSV(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "class", "roster.csv")
	write(t, csvPath, "student,path\n# a comment\nann, subs/ann\n\"Lee, Bo\",/abs/bo\n")
	got, err := ReadRoster(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Dir != filepath.Join(dir, "class", "subs", "ann") || got[1].Name != "Lee, Bo" || got[1].ID != "Lee-Bo" || got[1].Dir != "/abs/bo" {
		t.Errorf("students %+v", got)
	}
	// Without a header the first row is a student.
	write(t, csvPath, "ann,a\n")
	if got, err := ReadRoster(csvPath); err != nil || len(got) != 1 || got[0].Name != "ann" {
		t.Errorf("headerless: %+v %v", got, err)
	}
}

func TestReadRosterRefuses(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ name, csv, want string }{
		{"duplicate", "ann,a\nann,b\n", `student "ann" is listed twice`},
		{"same file name", "Ann Lee,a\nann-lee,b\n", `students "Ann Lee" and "ann-lee" would share the file name "ann-lee"`},
		{"three fields", "ann,a,extra\n", "line 1 has 3 fields"},
		{"no path", "ann,\n", "line 1: both the student and the path must be given"},
		{"no name to use", "???,a\n", `student "???" has no letters or digits`},
		{"empty", "student,path\n", "no student"},
		{"not CSV", "\"ann,a\n", "not a CSV of student,path"},
	} {
		p := filepath.Join(dir, tc.name+".csv")
		write(t, p, tc.csv)
		_, err := ReadRoster(p)
		var re *RosterError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v; want a RosterError with %q", tc.name, err, tc.want)
		}
	}
	if _, err := ReadRoster(filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing roster: %v", err)
	}
	empty := filepath.Join(dir, "emptydir")
	_ = os.Mkdir(empty, 0o755)
	if _, err := ReadRoster(empty); err == nil || !strings.Contains(err.Error(), "no subdirectories") {
		t.Errorf("empty directory: %v", err)
	}
}
