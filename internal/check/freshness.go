package check

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Labels shipshape puts on the images it builds for the learner, so a
// check can tell whether the image it judges was built from the
// Dockerfile it reads.
const (
	LabelBuildContext     = "dev.shipshape.context"
	LabelDockerfileSHA256 = "dev.shipshape.dockerfile-sha256"
)

// DockerfileDigest is the sha256 of a Dockerfile's bytes, as it goes into
// LabelDockerfileSHA256.
func DockerfileDigest(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
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
	if want := info.Labels[LabelDockerfileSHA256]; want != "" {
		if ctx := info.Labels[LabelBuildContext]; ctx != "" && ctx != abs {
			return fmt.Sprintf("%s was built from %s, not from %s: the checks of the Dockerfile and of the image judge different projects; rebuild it here", info.Ref, ctx, abs)
		}
		if DockerfileDigest(b) != want {
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
