package workspace

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"

	"go.yaml.in/yaml/v3"

	"shipshape/internal/safefile"
	"shipshape/internal/termsafe"
)

// ConfigName is the workspace file that says how shipshape builds the
// learner's images, for a classroom with a local mirror of the base image
// or an offline twin of it:
//
//	build:
//	  args:
//	    BASE_IMAGE: registry.school.example/python:3.13-slim
//	  pull: true   # as docker build --pull
const ConfigName = "shipshape.yaml"

// Limits of the file: it is the learner's (or a classroom's), but a
// workspace cloned from elsewhere can hold anything.
const (
	maxConfigBytes = 64 << 10
	maxBuildArgs   = 64
	maxArgValue    = 4096
)

// Config is what shipshape.yaml holds.
type Config struct {
	Build BuildConfig `yaml:"build"`
}

// BuildConfig is how images are built: the values of the Dockerfile's
// ARGs, as docker build --build-arg passes them, and whether the base
// images are pulled first, as docker build --pull does.
type BuildConfig struct {
	Args map[string]string `yaml:"args"`
	Pull bool              `yaml:"pull"`
}

// argName is the shape of a Dockerfile ARG name.
var argName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// LoadConfig reads dir's shipshape.yaml. A workspace without one has the
// zero Config; a file that cannot be used is an error naming it and what
// is wrong, never silently ignored.
func LoadConfig(dir string) (Config, error) {
	path := filepath.Join(dir, ConfigName)
	f, err := safefile.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Config{}, nil
	}
	if err != nil {
		return Config{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigBytes+1))
	if err != nil {
		return Config{}, fmt.Errorf("cannot read %s: %w", path, err)
	}
	if len(data) > maxConfigBytes {
		return Config{}, fmt.Errorf("%s is larger than %d KB; it should hold only build settings", path, maxConfigBytes>>10)
	}
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return Config{}, fmt.Errorf("%s: %s", path, termsafe.Line(err.Error()))
	}
	if err := c.Build.validate(); err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

func (b BuildConfig) validate() error {
	if len(b.Args) > maxBuildArgs {
		return fmt.Errorf("build.args has %d entries; at most %d", len(b.Args), maxBuildArgs)
	}
	names := make([]string, 0, len(b.Args))
	for k := range b.Args {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v := b.Args[k]
		switch {
		case !argName.MatchString(k):
			return fmt.Errorf("build.args: %q is not an ARG name (letters, digits and _, not starting with a digit)", termsafe.Line(k))
		case len(v) > maxArgValue:
			return fmt.Errorf("build.args.%s is longer than %d bytes", k, maxArgValue)
		case termsafe.Line(v) != v:
			return fmt.Errorf("build.args.%s holds control characters", k)
		}
	}
	return nil
}

// MergeArgs is base with over's values replacing base's (flags over the
// file); nil when both are empty.
func MergeArgs(base, over map[string]string) map[string]string {
	if len(base) == 0 && len(over) == 0 {
		return nil
	}
	out := make(map[string]string, len(base)+len(over))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}
