package render

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/charmbracelet/glamour"
	"github.com/muesli/termenv"

	"shipshape/internal/termsafe"
)

const (
	// DefaultMaxWidth is the widest wrap New uses when given no limit:
	// prose much wider than this is hard to read, however wide the window.
	DefaultMaxWidth = 100
	// MinWidth is the narrowest wrap width; narrower requests are widened
	// so that glamour's margins and indents still leave room for text.
	MinWidth = 20

	// resultCacheSize bounds the rendered-lesson cache: a course has a few
	// dozen lessons and a session rarely sees more than two widths.
	resultCacheSize = 64
	// rendererCacheSize bounds the glamour renderers kept, one per (width,
	// style); window resizes create new widths and old ones go stale.
	rendererCacheSize = 8
)

// Renderer renders lesson Markdown for the terminal and caches the results.
// It is safe for concurrent use, so renders can run in tea.Cmds while the
// UI reads the cache.
type Renderer struct {
	maxWidth int

	mu        sync.Mutex
	results   *lru[resultKey, Doc]
	renderers *lru[rendererKey, *termRenderer]
	// flights holds, per lesson, the render running and the one waiting.
	flights map[string]*flight
	// peak is the most glamour renders seen running at once (for tests).
	running, peak, renders int
}

// ErrSuperseded is returned by Render when a newer Render of the same
// lesson arrived while this one waited: its result would be stale.
var ErrSuperseded = errors.New("render superseded by a newer one of the same lesson")

// flight lets one render per lesson run at a time. A render in glamour
// cannot be interrupted, so a burst of resizes would otherwise run one
// render per width at once; instead the newest request waits for the
// running one and every request in between is dropped.
type flight struct {
	// waiting, when not nil, wakes the one waiting request: true to run,
	// false when a newer one replaced it.
	waiting chan bool
}

// resultKey identifies one render. The lesson id is part of the key so that
// two lessons with the same text do not share an entry that a caller might
// evict or inspect per lesson; the hash makes an edited lesson a new entry.
type resultKey struct {
	lessonID string
	sum      [sha256.Size]byte
	// width is the prose's wrap width, window the width code is laid out for.
	width, window int
	style         Style
}

type rendererKey struct {
	width int
	style Style
}

// termRenderer guards a glamour TermRenderer: its render context (block
// stack, table state) is shared mutable state, so one TermRenderer must not
// render two documents at once.
type termRenderer struct {
	mu sync.Mutex
	tr *glamour.TermRenderer
}

// New returns a Renderer that wraps text to at most maxWidth columns, or
// DefaultMaxWidth if maxWidth <= 0.
func New(maxWidth int) *Renderer {
	if maxWidth <= 0 {
		maxWidth = DefaultMaxWidth
	}
	return &Renderer{
		maxWidth:  max(maxWidth, MinWidth),
		results:   newLRU[resultKey, Doc](resultCacheSize),
		renderers: newLRU[rendererKey, *termRenderer](rendererCacheSize),
		flights:   map[string]*flight{},
	}
}

// WrapWidth returns the line width Render uses for a window width columns
// wide: min(width, maxWidth), at least MinWidth. Glamour's document margins
// are inside this width, so no rendered line is wider.
func (r *Renderer) WrapWidth(width int) int {
	if width <= 0 || width > r.maxWidth {
		width = r.maxWidth
	}
	return max(width, MinWidth)
}

// Render renders markdown, the body of lesson lessonID, for a window width
// columns wide in the given style; it is RenderDoc's text.
func (r *Renderer) Render(lessonID, markdown string, width int, style Style) (string, error) {
	doc, err := r.RenderDoc(lessonID, markdown, width, style)
	return doc.Text, err
}

// RenderDoc renders markdown, the body of lesson lessonID, for a window
// width columns wide in the given style. Prose is wrapped at WrapWidth;
// fenced code uses the whole window and is never wrapped inside a token
// (see layoutCode). The Markdown is sanitized before rendering
// (termsafe.Markdown) and the output after (termsafe.Rendered, or
// termsafe.Text for NoColor), so the result can be printed as is. Results
// are cached; see CachedDoc.
//
// RenderDoc does the expensive work; call it from a tea.Cmd, not from
// Update or View.
func (r *Renderer) RenderDoc(lessonID, markdown string, width int, style Style) (Doc, error) {
	if !style.valid() {
		return Doc{}, fmt.Errorf("cannot render lesson %q: unknown style %q", lessonID, style)
	}
	key := r.key(lessonID, markdown, width, style)
	r.mu.Lock()
	out, ok := r.results.get(key)
	r.mu.Unlock()
	if ok {
		return out, nil
	}

	if !r.acquire(lessonID) {
		return Doc{}, fmt.Errorf("cannot render lesson %q: %w", lessonID, ErrSuperseded)
	}
	defer r.release(lessonID)
	// The render this one waited for may have been for the same key.
	r.mu.Lock()
	out, ok = r.results.get(key)
	r.mu.Unlock()
	if ok {
		return out, nil
	}

	tr, err := r.termRenderer(rendererKey{width: key.width, style: style})
	if err != nil {
		return Doc{}, fmt.Errorf("cannot render lesson %q: %w", lessonID, err)
	}
	prose, blocks, prefix := extractCode(dropPrivate(termsafe.Markdown(markdown)))
	tr.mu.Lock()
	r.track(1)
	raw, err := tr.tr.Render(keepTogether(joinListContinuations(prose), key.width))
	r.track(-1)
	tr.mu.Unlock()
	if err != nil {
		return Doc{}, fmt.Errorf("cannot render lesson %q: %w", lessonID, err)
	}
	out = spliceCode(restorer.Replace(raw), blocks, prefix, key.window, newHighlighter(style))
	if style == NoColor {
		// glamour emits SGR for bold and the like even with the ASCII
		// profile; NoColor promises no escape sequences at all.
		out.Text = termsafe.Text(out.Text)
	} else {
		out.Text = termsafe.Rendered(out.Text)
	}
	for i := range out.Blocks {
		out.Blocks[i].Code = termsafe.Text(out.Blocks[i].Code)
	}

	r.mu.Lock()
	r.results.put(key, out)
	r.mu.Unlock()
	return out, nil
}

// acquire waits until no other render of lessonID runs. It returns false
// when a newer request for the lesson took this one's place meanwhile.
func (r *Renderer) acquire(lessonID string) bool {
	r.mu.Lock()
	f, busy := r.flights[lessonID]
	if !busy {
		r.flights[lessonID] = &flight{}
		r.mu.Unlock()
		return true
	}
	if f.waiting != nil {
		f.waiting <- false // the older waiter is stale now
	}
	ch := make(chan bool, 1)
	f.waiting = ch
	r.mu.Unlock()
	return <-ch
}

// release hands the lesson to the request waiting for it, if any.
func (r *Renderer) release(lessonID string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f := r.flights[lessonID]
	if f.waiting == nil {
		delete(r.flights, lessonID)
		return
	}
	f.waiting <- true
	f.waiting = nil
}

func (r *Renderer) track(delta int) {
	r.mu.Lock()
	r.running += delta
	if delta > 0 {
		r.renders++
	}
	r.peak = max(r.peak, r.running)
	r.mu.Unlock()
}

// Cached returns the result of an earlier Render with the same arguments,
// if it is still cached. It is cheap (one hash of markdown), so the TUI can
// call it from Update to show a lesson at once and only start a render
// command on a miss.
func (r *Renderer) Cached(lessonID, markdown string, width int, style Style) (string, bool) {
	doc, ok := r.CachedDoc(lessonID, markdown, width, style)
	return doc.Text, ok
}

// CachedDoc is Cached for RenderDoc.
func (r *Renderer) CachedDoc(lessonID, markdown string, width int, style Style) (Doc, bool) {
	key := r.key(lessonID, markdown, width, style)
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.results.get(key)
}

func (r *Renderer) key(lessonID, markdown string, width int, style Style) resultKey {
	window := r.window(width)
	if !strings.Contains(markdown, "```") && !strings.Contains(markdown, "~~~") {
		// Without code the window's width beyond the prose's changes nothing.
		window = 0
	}
	return resultKey{
		lessonID: lessonID,
		sum:      sha256.Sum256([]byte(markdown)),
		width:    r.WrapWidth(width),
		window:   window,
		style:    style,
	}
}

// termRenderer returns the cached glamour renderer for k, building it on a
// miss. Building parses the style sheet and sets up goldmark, which costs
// about as much as rendering a short lesson.
func (r *Renderer) termRenderer(k rendererKey) (*termRenderer, error) {
	r.mu.Lock()
	tr, ok := r.renderers.get(k)
	r.mu.Unlock()
	if ok {
		return tr, nil
	}
	g, err := newGlamour(k.width, k.style)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	// Another goroutine may have built one meanwhile; keep a single one so
	// that its lock serialises all renders of this key.
	if tr, ok := r.renderers.get(k); ok {
		return tr, nil
	}
	tr = &termRenderer{tr: g}
	r.renderers.put(k, tr)
	return tr, nil
}

// window is the width code is laid out for: the whole window, at least
// MinWidth (the reading width when the window's is not known).
func (r *Renderer) window(width int) int {
	if width <= 0 {
		return r.maxWidth
	}
	return max(width, MinWidth)
}

// newGlamour builds a TermRenderer that does not look at the terminal: the
// style is named, not "auto", and the colour profile is fixed. ANSI256 is
// what glamour's built-in styles and its chroma formatter (terminal256) are
// written for, and nearly every terminal supports it. Emoji shortcodes stay
// off (glamour enables them only with WithEmoji), so ":x:" stays text.
func newGlamour(width int, style Style) (*glamour.TermRenderer, error) {
	profile := termenv.ANSI256
	if style == NoColor {
		profile = termenv.Ascii
	}
	tr, err := glamour.NewTermRenderer(
		glamour.WithStyles(styleConfig(style)),
		glamour.WithColorProfile(profile),
		glamour.WithWordWrap(width),
	)
	if err != nil {
		return nil, fmt.Errorf("cannot set up the Markdown renderer: %w", err)
	}
	return tr, nil
}
