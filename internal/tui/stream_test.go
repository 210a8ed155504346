package tui

import (
	"context"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// drain reads a stream to its end as the root model does: each message,
// then its Next.
func drain(t *testing.T, cmd tea.Cmd) []tea.Msg {
	t.Helper()
	var out []tea.Msg
	deadline := time.After(5 * time.Second)
	for cmd != nil {
		got := make(chan tea.Msg, 1)
		go func(c tea.Cmd) { got <- c() }(cmd)
		select {
		case <-deadline:
			t.Fatalf("the stream did not end; read %d messages", len(out))
		case msg := <-got:
			if msg == nil {
				return out
			}
			sm, ok := msg.(streamMsg)
			if !ok {
				t.Fatalf("got %T, want a streamMsg", msg)
			}
			out = append(out, sm.Msg)
			cmd = sm.Next
		}
	}
	return out
}

func TestStreamDeliversEveryMessageThenTheLast(t *testing.T) {
	const n = 3 * streamBuffer // more than fit ahead of the reader
	cmd := streamCmd(context.Background(), func(s sender) tea.Msg {
		for i := range n {
			s.Send(i)
		}
		return "done"
	})
	got := drain(t, cmd)
	if len(got) != n+1 || got[n] != "done" {
		t.Fatalf("got %d messages ending in %v, want %d and then done", len(got), got[len(got)-1], n)
	}
	for i := range n {
		if got[i] != i {
			t.Fatalf("message %d is %v: out of order", i, got[i])
		}
	}
}

func TestStreamStartsWorkOnlyWhenTheCommandRuns(t *testing.T) {
	started := make(chan struct{})
	cmd := streamCmd(context.Background(), func(sender) tea.Msg {
		close(started)
		return "done"
	})
	select {
	case <-started:
		t.Fatal("work started when the command was made (in Update), not when it ran")
	case <-time.After(50 * time.Millisecond):
	}
	if got := drain(t, cmd); len(got) != 1 || got[0] != "done" {
		t.Errorf("got %v", got)
	}
}

// TestStreamCancelledWorkNeverBlocks: work replaced by a newer operation
// keeps sending while nobody reads; it must still end (and clean up), and
// its last message still arrives for whoever reads on.
func TestStreamCancelledWorkNeverBlocks(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ended := make(chan struct{})
	cmd := streamCmd(ctx, func(s sender) tea.Msg {
		defer close(ended)
		for i := range 10 * streamBuffer {
			s.Send(i)
		}
		return "cleaned up"
	})
	first := make(chan tea.Msg, 1)
	go func() { first <- cmd() }()
	select {
	case <-ended:
	case <-time.After(2 * time.Second):
		t.Fatal("cancelled work blocked on a send nobody reads")
	}
	msg := <-first
	rest := drain(t, msg.(streamMsg).Next)
	if len(rest) == 0 || rest[len(rest)-1] != "cleaned up" {
		t.Errorf("the last message was lost: %v", rest)
	}
}

func TestStreamOfferDropsWhenFull(t *testing.T) {
	ended := make(chan struct{})
	cmd := streamCmd(context.Background(), func(s sender) tea.Msg {
		defer close(ended)
		for i := range 10 * streamBuffer {
			s.Offer(i)
		}
		return "done"
	})
	first := make(chan tea.Msg, 1)
	go func() { first <- cmd() }()
	select {
	case <-ended:
	case <-time.After(2 * time.Second):
		t.Fatal("Offer waited for a reader")
	}
	sm := (<-first).(streamMsg)
	got := append([]tea.Msg{sm.Msg}, drain(t, sm.Next)...)
	// The buffer, plus the one the first read may take while work runs.
	if len(got) > streamBuffer+2 || got[len(got)-1] != "done" {
		t.Errorf("got %d messages ending in %v, want at most %d offers kept and then done", len(got), got[len(got)-1], streamBuffer+1)
	}
}
