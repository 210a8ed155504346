package check

import "time"

// ProbePlan is the health configuration the checks use while waiting for a
// container of an image whose HEALTHCHECK is img: the image's probe
// command, timeout and retries at a faster pace (fast), and how long to
// wait at most (never more than limit). The exercise workflow uses it to
// run and measure images the same way the checks judge them.
func ProbePlan(img *Healthcheck, fast, limit time.Duration) (Healthcheck, time.Duration) {
	return probePlan(img, fast, limit)
}

// HasHealthcheck reports whether h declares a probe (and not NONE).
func HasHealthcheck(h *Healthcheck) bool { return hasHealthcheck(h) }

// Instruction turns an image history entry's CreatedBy into the Dockerfile
// line that made the layer, the same way the size checks show it.
func Instruction(createdBy string) string { return instruction(createdBy) }
