package docker

import "testing"

func TestDescribeCLIBuild(t *testing.T) {
	for _, c := range []struct {
		cli           string
		buildx        bool
		engine, env   string
		buildKit, bad bool
	}{
		{"28.2.2", true, "1", "", true, false},
		{"28.2.2", false, "2", "", false, false}, // the case doctor got wrong: engine default, no buildx
		{"28.2.2", false, "2", "1", false, true},
		{"28.2.2", true, "2", "0", false, false},
		{"20.10.24+dfsg1", false, "2", "", true, false},
		{"20.10.24+dfsg1", false, "1", "", false, false},
		{"20.10.24+dfsg1", false, "1", "1", true, false},
		{"", false, "2", "", false, false},
	} {
		got := DescribeCLIBuild(c.cli, c.buildx, c.engine, c.env)
		if got.BuildKit != c.buildKit || got.Broken != c.bad || got.Why == "" {
			t.Errorf("DescribeCLIBuild(%q, %v, %q, %q) = %+v", c.cli, c.buildx, c.engine, c.env, got)
		}
	}
}
