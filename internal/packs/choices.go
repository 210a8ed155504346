package packs

import (
	"fmt"

	"shipshape/internal/course"
)

// Choice is a course a learner can open: the built-in one or an
// installed pack.
type Choice struct {
	// Ref opens it: "" for the built-in course, else the pack id.
	Ref     string
	Title   string
	Version string
	// Where says where it comes from: "built-in" or the pack's path.
	Where string
	// Err is why an installed pack does not load, "" when it does.
	Err string
}

// Choices lists the built-in course and every installed pack, broken ones
// with their error so the learner sees why they cannot be opened. The
// list so far comes back with an error reading the installed packs.
func Choices() ([]Choice, error) {
	var out []Choice
	if b, err := course.Builtin(course.Options{}); err == nil {
		out = append(out, Choice{Ref: "", Title: b.Title, Version: b.Version, Where: "built-in"})
	}
	st, err := Default()
	if err != nil {
		return out, err
	}
	installed, err := st.List()
	if err != nil {
		return out, fmt.Errorf("cannot list installed packs: %w", err)
	}
	for _, p := range installed {
		ch := Choice{Ref: p.ID, Title: p.Title, Version: p.Version, Where: p.Path}
		if ch.Title == "" {
			ch.Title = p.ID
		}
		if p.Err != nil {
			ch.Err = p.Err.Error()
		}
		out = append(out, ch)
	}
	return out, nil
}

// Open opens the course ref names: "" for the built-in one (checked with
// opts), else an installed pack.
func Open(ref string, opts course.Options) (*course.Pack, error) {
	if ref == "" {
		return course.Builtin(opts)
	}
	st, err := Default()
	if err != nil {
		return nil, err
	}
	return st.Open(ref)
}
