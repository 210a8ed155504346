// Package xdgdir says where shipshape keeps its files: in the directory an
// override variable names, else under the XDG base directory of the right
// kind (state for progress, data for installed packs, cache for reports).
//
// The environment is read on every call, because github.com/adrg/xdg reads
// it only once at program start and tests (and wrappers) set it later;
// adrg/xdg's values are the fallback for its platform defaults.
package xdgdir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/adrg/xdg"
)

// App is the directory shipshape uses under each XDG base.
const App = "shipshape"

// Base is one XDG base directory: its variable and adrg/xdg's default.
type Base struct {
	env      string
	fallback func() string
}

var (
	// State holds what should survive a restart but is not worth backing up
	// as a document: progress.
	State = Base{"XDG_STATE_HOME", func() string { return xdg.StateHome }}
	// Data holds files the user installed: lesson packs.
	Data = Base{"XDG_DATA_HOME", func() string { return xdg.DataHome }}
	// Cache holds what can be made again: Trivy reports.
	Cache = Base{"XDG_CACHE_HOME", func() string { return xdg.CacheHome }}
)

// ErrNoHome is returned when neither the override nor the XDG variable is
// set and no home directory is known to derive a default from.
var ErrNoHome = errors.New("no home directory is known")

// Dir returns the directory named by the variable override when it is set
// (made absolute), else $<base>/shipshape, else adrg/xdg's default with
// /shipshape. override may be "" for kinds that have none.
func Dir(base Base, override string) (string, error) {
	if override != "" {
		if d := os.Getenv(override); d != "" {
			abs, err := filepath.Abs(d)
			if err != nil {
				return "", fmt.Errorf("cannot use %s=%q: %w; set it to an absolute directory path", override, d, err)
			}
			return abs, nil
		}
	}
	home := os.Getenv(base.env)
	// The XDG spec says relative paths are invalid and must be ignored.
	if home == "" || !filepath.IsAbs(home) {
		home = base.fallback()
	}
	if home == "" || !filepath.IsAbs(home) {
		set := override
		if set == "" {
			set = base.env
		}
		return "", fmt.Errorf("%w; set %s to a directory you can write", ErrNoHome, set)
	}
	return filepath.Join(home, App), nil
}
