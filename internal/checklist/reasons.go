package checklist

// FailedIDs names the items that failed, in order.
func FailedIDs(results []ItemResult) []string {
	var ids []string
	for _, r := range results {
		if r.Status == Fail {
			ids = append(ids, r.Item.ID)
		}
	}
	return ids
}

// FirstError is the first item that could not be checked.
func FirstError(results []ItemResult) (ItemResult, bool) {
	for _, r := range results {
		if r.Status == Error {
			return r, true
		}
	}
	return ItemResult{}, false
}

// Reason says in one line why r has its status: the item's id, its first
// evidence and the hint.
func (r ItemResult) Reason() string {
	reason := r.Item.ID
	if len(r.Evidence) > 0 {
		reason += ": " + r.Evidence[0]
	}
	if r.Hint != "" {
		reason += " — " + r.Hint
	}
	return reason
}
