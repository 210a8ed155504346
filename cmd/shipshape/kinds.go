package main

// checkKindValidator validates check declarations of packs against the
// check engine's kinds. Until the engine is wired, any well-formed kind
// name is accepted.
func checkKindValidator() func(kind string, params map[string]any) error {
	return nil
}
