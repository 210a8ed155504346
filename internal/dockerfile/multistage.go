package dockerfile

import (
	"fmt"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// Multistage judges whether the Dockerfile is a real multi-stage build: at
// least two stages, and the final stage copies from an earlier stage. COPY
// --from=<image> and RUN --mount=from=... do not count: neither leaves the
// build tools of an earlier stage behind.
func (f *File) Multistage() Finding {
	var ev []string
	for _, s := range f.Stages() {
		ev = append(ev, fmt.Sprintf("line %d: %s FROM %s", s.Line, s.Label(), s.BaseImage))
	}
	final := f.FinalStage()
	if len(f.stages) < 2 {
		ev = append(ev, "only one stage: the final image keeps everything used to build it")
		return Finding{Status: Fail, Evidence: ev, Line: final.Line}
	}
	var fromImage []string
	for _, si := range f.chain(final.Index) {
		for _, c := range f.stages[si].Commands {
			cp, ok := c.(*instructions.CopyCommand)
			if !ok || cp.From == "" {
				continue
			}
			if ref := f.stageRef(cp.From, si); ref >= 0 {
				ev = append(ev, fmt.Sprintf("%s copies from %s into the final image", at(cp), f.stage(ref).Label()))
				return Finding{Status: Pass, Evidence: ev, Line: cmdLine(cp)}
			}
			fromImage = append(fromImage, fmt.Sprintf("%s copies from the image %s, not from an earlier stage", at(cp), f.expandMeta(cp.From)))
		}
	}
	ev = append(ev, fromImage...)
	if final.BaseStage >= 0 {
		ev = append(ev, fmt.Sprintf("the final stage is built FROM %s, so it keeps all of it; start it FROM a small runtime image and COPY --from only what runs", f.stage(final.BaseStage).Label()))
	} else {
		ev = append(ev, fmt.Sprintf("final %s (line %d) copies nothing from an earlier stage (no COPY --from=<stage>)", final.Label(), final.Line))
	}
	return Finding{Status: Fail, Evidence: ev, Line: final.Line}
}
