package course

import (
	"reflect"
	"strings"

	"shipshape/internal/ids"
)

// ChecklistItem is one line of a pack's deployment checklist: what to
// verify before shipping, and the checks that judge it. An item without
// checks is one only the learner can judge (they tick it).
type ChecklistItem struct {
	// ID is stable: progress stores ticks under it.
	ID      string
	Section string
	Text    string
	Checks  []ChecklistCheck
}

// ChecklistCheck is a check kind that judges a checklist item, with the
// parameters it runs with (the checklist's numbers, such as a size bound).
type ChecklistCheck struct {
	Kind   string
	Params map[string]any
}

// checklistSectionYAML is one section of `checklist:` in pack.yaml.
type checklistSectionYAML struct {
	Section string              `yaml:"section"`
	Items   []checklistItemYAML `yaml:"items"`
}

type checklistItemYAML struct {
	ID     string               `yaml:"id"`
	Text   string               `yaml:"text"`
	Checks []checklistCheckYAML `yaml:"checks"`
}

type checklistCheckYAML struct {
	Kind   string         `yaml:"kind"`
	Params map[string]any `yaml:"params"`
}

// loadChecklist turns the manifest's checklist into items. A checklist runs
// each check kind once for all the items it judges, so one kind must have
// the same params everywhere in it.
func loadChecklist(sections []checklistSectionYAML, at func(...any) int, ps *problems, opts Options) []ChecklistItem {
	var out []ChecklistItem
	seen := map[string]bool{}
	paramsOf := map[string]map[string]any{}
	for si, sec := range sections {
		requireLine(ps, at("checklist", si, "section"), "checklist section", sec.Section)
		if len(sec.Items) == 0 {
			ps.add(ManifestName, at("checklist", si), "checklist section %q needs at least one item under items:", sec.Section)
		}
		for ii, it := range sec.Items {
			iat := func(p ...any) int { return at(append([]any{"checklist", si, "items", ii}, p...)...) }
			switch {
			case !ids.Valid(it.ID):
				ps.add(ManifestName, iat("id"), "checklist item id %q must be "+ids.Rule, it.ID)
			case seen[it.ID]:
				ps.add(ManifestName, iat("id"), "checklist item id %q is used twice", it.ID)
			}
			seen[it.ID] = true
			requireLine(ps, iat("text"), "checklist item text", it.Text)
			item := ChecklistItem{ID: it.ID, Section: strings.TrimSpace(sec.Section), Text: strings.TrimSpace(it.Text)}
			for ci, c := range it.Checks {
				line := iat("checks", ci)
				switch {
				case !kindPattern.MatchString(c.Kind):
					ps.add(ManifestName, line, "check kind %q must look like \"image.user_nonroot\"", c.Kind)
				case opts.CheckKind != nil:
					if err := opts.CheckKind(c.Kind, c.Params); err != nil {
						ps.add(ManifestName, line, "checklist item %q: %v", it.ID, err)
					}
				}
				if prev, ok := paramsOf[c.Kind]; ok && !reflect.DeepEqual(prev, c.Params) {
					ps.add(ManifestName, line, "check kind %q has other params here than in an earlier item; the checklist runs each kind once, so give it the same params everywhere", c.Kind)
				}
				paramsOf[c.Kind] = c.Params
				item.Checks = append(item.Checks, ChecklistCheck(c))
			}
			out = append(out, item)
		}
	}
	return out
}

// requireLine is requireText for what screens show on one line of a list.
func requireLine(ps *problems, line int, field, value string) {
	if strings.ContainsAny(strings.TrimSpace(value), "\n\t") {
		ps.add(ManifestName, line, "%s must be one line of text, without tabs", field)
		return
	}
	requireText(ps, ManifestName, line, field, value)
}
