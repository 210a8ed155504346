package docker

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A daemon that takes the connection and never answers, or hangs up, is
// named in the adapter's words: never the SDK's request line with its
// escaped socket path (`Get "http://%2Ftmp%2F…/_ping"`).
func TestPingFaultsReadAsAdvice(t *testing.T) {
	for _, tc := range []struct {
		name   string
		serve  func(net.Conn)
		kind   Kind
		advice string
	}{
		{"no answer", func(c net.Conn) {}, Stalled, "Restart Docker"},
		{"hangs up", func(c net.Conn) { _ = c.Close() }, Unreachable, "Start Docker"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sock := filepath.Join(t.TempDir(), "d.sock")
			l, err := net.Listen("unix", sock)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			go func() {
				for {
					c, err := l.Accept()
					if err != nil {
						return
					}
					tc.serve(c)
				}
			}()
			c, err := New(Options{Host: "unix://" + sock, CallTimeout: 300 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, err = c.Ping(ctx)
			if err == nil {
				t.Fatal("ping answered")
			}
			if KindOf(err) != tc.kind || strings.Contains(err.Error(), "%2F") || !strings.Contains(Advice(err), tc.advice) {
				t.Errorf("kind %v, %q, advice %q; want %v in the adapter's words", KindOf(err), err, Advice(err), tc.kind)
			}
		})
	}
}
