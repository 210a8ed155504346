package check

import "testing"

// TestIsUID0 covers the USER values dockerd and runc read as uid 0
// although they are not the string "0".
func TestIsUID0(t *testing.T) {
	for user, want := range map[string]bool{
		"0": true, "00": true, "+0": true, "-0": true, "0:0": true, "000:1000": true,
		"1000": false, "+1000": false, "app": false, "root": false, "": false, "0x0": false,
	} {
		if got := isUID0(user); got != want {
			t.Errorf("isUID0(%q) = %v, want %v", user, got, want)
		}
	}
}
