package dockerfile

import "strings"

// BaseImages are the images the Dockerfile's stages start FROM, in order
// and without repeats, as a build given buildArgs would resolve them: the
// ARGs before the first FROM take their defaults unless buildArgs sets
// them (only declared ARGs, as docker build does), and FROMs of earlier
// stages and of scratch are left out. A FROM that still holds a variable
// (an ARG without a default and no value) is returned as written, so the
// caller can say which one it cannot resolve.
func (f *File) BaseImages(buildArgs map[string]string) []string {
	env := newVars()
	for _, a := range f.metaArgs {
		for _, kv := range a.Args {
			switch v, ok := buildArgs[kv.Key]; {
			case ok:
				env.set(kv.Key, v)
			case kv.Value != nil:
				env.set(kv.Key, *kv.Value)
			}
		}
	}
	lex := newLex(f.escape)
	var out []string
	seen := map[string]bool{}
	for i, s := range f.stages {
		if f.stageRef(s.BaseName, i) >= 0 {
			continue
		}
		ref := s.BaseName
		if strings.Contains(ref, "$") {
			if res, _, err := lex.ProcessWord(ref, env); err == nil && res != "" {
				ref = res
			}
		}
		if strings.EqualFold(ref, "scratch") || seen[ref] {
			continue
		}
		seen[ref] = true
		out = append(out, ref)
	}
	return out
}
