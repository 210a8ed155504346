package dockerfile

import "testing"

func TestNeedsBuildKit(t *testing.T) {
	for _, tc := range []struct {
		df   string
		want bool
	}{
		{"FROM a\nRUN echo hi\n", false},
		{"FROM a\nCOPY --chown=1:1 . /app\n", false},
		{"# syntax=docker/dockerfile:1\nFROM a\n", true},
		{"FROM a\nRUN --mount=type=cache,target=/root/.cache pip install x\n", true},
		{"FROM a\nRUN --mount=type=secret,id=tok cat /run/secrets/tok\n", true},
		{"FROM a\nCOPY --chmod=755 run.sh /\n", true},
		{"FROM a\nCOPY --link . /app\n", true},
		{"FROM a\nRUN <<EOF\necho hi\nEOF\n", true},
		{"FROM a\nCOPY <<EOF /etc/x\nhello\nEOF\n", true},
		{"FROM a\nRUN echo '<<' not a heredoc\n", false},
	} {
		if got := NeedsBuildKit([]byte(tc.df)); got != tc.want {
			t.Errorf("NeedsBuildKit(%q) = %v, want %v", tc.df, got, tc.want)
		}
	}
}
