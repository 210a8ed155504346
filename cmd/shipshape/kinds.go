package main

import "shipshape/internal/check"

// checkKindValidator validates the check declarations of packs against the
// check engine's kinds and their parameters.
func checkKindValidator() func(kind string, params map[string]any) error {
	return check.ValidateParams
}
