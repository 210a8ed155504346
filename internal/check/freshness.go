package check

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// LabelSource is put on the images shipshape builds for the learner, so a
// check can tell whether the image it judges was built from the
// Dockerfile it reads: "sha256:<digest of the Dockerfile> <context dir>".
// One label, because the classic builder shows each as a build step.
const LabelSource = "dev.shipshape.source"

// SourceLabel is LabelSource's value for a Dockerfile's bytes and the
// build context's absolute path.
func SourceLabel(dockerfile []byte, dir string) string {
	s := sha256.Sum256(dockerfile)
	return "sha256:" + hex.EncodeToString(s[:]) + " " + dir
}

// staleness says why the image may not be what the Dockerfile in dir
// builds: a learner who edits the Dockerfile and checks without
// rebuilding would otherwise read the new Dockerfile's verdicts beside
// the old image's. Images shipshape built carry the Dockerfile's digest
// and the build context; for others, the Dockerfile being newer than the
// image is the sign. "" when nothing is wrong or nothing can be told.
func staleness(info ImageInfo, dir string) string {
	if dir == "" {
		return ""
	}
	path := filepath.Join(dir, "Dockerfile")
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	abs, _ := filepath.Abs(dir)
	if src := info.Labels[LabelSource]; src != "" {
		digest, ctx, _ := strings.Cut(src, " ")
		if ctx != "" && ctx != abs {
			return fmt.Sprintf("%s was built from %s, not from %s: the checks of the Dockerfile and of the image judge different projects; rebuild it here", info.Ref, ctx, abs)
		}
		if want, _, _ := strings.Cut(SourceLabel(b, abs), " "); digest != want {
			return fmt.Sprintf("the Dockerfile in %s changed after %s was built: the image checks judge the old build; rebuild before checking", abs, info.Ref)
		}
		return ""
	}
	st, err := os.Stat(path)
	// A second of slack: image times have second resolution on some engines.
	if err == nil && !info.Created.IsZero() && st.ModTime().After(info.Created.Add(time.Second)) {
		return fmt.Sprintf("the Dockerfile in %s was changed (%s) after %s was built (%s): the image checks judge the old build; rebuild before checking",
			abs, st.ModTime().Format("15:04:05"), info.Ref, info.Created.Local().Format("15:04:05"))
	}
	return ""
}
