package tui

import (
	"context"

	tea "github.com/charmbracelet/bubbletea"
)

// streamMsg is one message of background work started by streamCmd, with
// the command that reads the next one. The root model unwraps it, routes
// Msg as if it had come alone and runs Next, until the work has ended.
type streamMsg struct {
	Msg  tea.Msg
	Next tea.Cmd
}

// sender is how streamed work reports progress.
type sender struct {
	ctx context.Context
	ch  chan<- tea.Msg
}

// Send delivers msg, waiting for the program to take it; it gives up once
// the work's context ends, so work that was replaced (and whose messages
// nobody wants any more) never blocks and always gets to clean up.
func (s sender) Send(msg tea.Msg) {
	select {
	case s.ch <- msg:
	case <-s.ctx.Done():
	}
}

// Offer delivers msg only if there is room: for progress that may be
// dropped rather than slow the work down.
func (s sender) Offer(msg tea.Msg) {
	select {
	case s.ch <- msg:
	default:
	}
}

// streamBuffer is how many messages work may send ahead of the program.
const streamBuffer = 64

// streamCmd returns a command that runs work in its own goroutine, started
// only when the command runs (never in Update), and delivers the messages
// work sends, then the one it returns. Every message is delivered, also
// after ctx is cancelled; the receiver tells current work from replaced
// work by the ids the messages carry.
func streamCmd(ctx context.Context, work func(s sender) tea.Msg) tea.Cmd {
	return func() tea.Msg {
		ch := make(chan tea.Msg, streamBuffer)
		go func() {
			defer close(ch)
			last := work(sender{ctx: ctx, ch: ch})
			if last != nil {
				// The last message is never dropped: it ends the operation.
				ch <- last
			}
		}()
		return readStream(ch)()
	}
}

// readStream reads the next message of a stream; nil once it has ended.
func readStream(ch <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-ch
		if !ok {
			return nil
		}
		return streamMsg{Msg: msg, Next: readStream(ch)}
	}
}
