package xdgdir

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestDirOverrideFirst(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/xdg/state")
	t.Setenv("SHIPSHAPE_TEST_DIR", "/elsewhere")
	got, err := Dir(State, "SHIPSHAPE_TEST_DIR")
	if err != nil || got != "/elsewhere" {
		t.Fatalf("Dir = %q, %v; want the override /elsewhere", got, err)
	}
}

func TestDirOverrideMadeAbsolute(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv("SHIPSHAPE_TEST_DIR", "rel")
	got, err := Dir(Data, "SHIPSHAPE_TEST_DIR")
	if err != nil || !filepath.IsAbs(got) || filepath.Base(got) != "rel" {
		t.Fatalf("Dir = %q, %v; want an absolute path ending in rel", got, err)
	}
}

func TestDirReadsXDGNow(t *testing.T) {
	for _, tc := range []struct {
		base Base
		env  string
	}{{State, "XDG_STATE_HOME"}, {Data, "XDG_DATA_HOME"}, {Cache, "XDG_CACHE_HOME"}} {
		t.Setenv(tc.env, "/set/later")
		got, err := Dir(tc.base, "")
		if want := "/set/later/shipshape"; err != nil || got != want {
			t.Errorf("%s: Dir = %q, %v; want %q", tc.env, got, err, want)
		}
	}
}

func TestDirIgnoresRelativeXDG(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", "relative/cache")
	got, err := Dir(Cache, "")
	if err != nil {
		t.Skipf("no platform default here: %v", err)
	}
	if strings.HasPrefix(got, "relative") || !filepath.IsAbs(got) {
		t.Fatalf("Dir = %q; a relative XDG_CACHE_HOME must be ignored", got)
	}
}

func TestDirNoHome(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("SHIPSHAPE_TEST_DIR", "")
	b := Base{"XDG_DATA_HOME", func() string { return "" }}
	_, err := Dir(b, "SHIPSHAPE_TEST_DIR")
	if !errors.Is(err, ErrNoHome) || !strings.Contains(err.Error(), "set SHIPSHAPE_TEST_DIR") {
		t.Fatalf("Dir = %v; want ErrNoHome naming the override to set", err)
	}
	_, err = Dir(b, "")
	if !errors.Is(err, ErrNoHome) || !strings.Contains(err.Error(), "set XDG_DATA_HOME") {
		t.Fatalf("Dir = %v; without an override, want ErrNoHome naming XDG_DATA_HOME", err)
	}
}
