package check_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"shipshape/internal/docker/dockertest"
)

// fixtures are the Dockerfiles of the test images; BASE is the busybox base.
var fixtures = map[string]string{
	// good passes every image and container kind. Its interval is 30s on
	// purpose: the engine must still judge it in about a second.
	"good": `FROM BASE
ENV GPG_KEY=0123456789ABCDEF DB_PASSWORD_FILE=/run/secrets/db
USER app
HEALTHCHECK --interval=30s --timeout=3s --retries=3 CMD ["wget","-q","-O-","http://127.0.0.1:8080/"]
CMD ["sh","-c","trap 'exit 0' TERM; httpd -p 8080 -h /www; while :; do sleep 1 & wait $!; done"]
`,
	"root":    "FROM BASE\nCMD [\"sleep\",\"3600\"]\n",
	"user0":   "FROM BASE\nUSER 0\nCMD [\"sleep\",\"3600\"]\n",
	"toor":    "FROM BASE\nUSER toor\nCMD [\"sleep\",\"3600\"]\n",
	"numeric": "FROM BASE\nUSER 4242\nCMD [\"sleep\",\"3600\"]\n",
	"nouser":  "FROM BASE\nUSER ghost\nCMD [\"sleep\",\"3600\"]\n",
	// noexec names a program the image lacks: the daemon's cause comes
	// last in a long error, and must reach the evidence.
	"noexec": "FROM BASE\nUSER 10001\nCMD [\"uvicorn\",\"main:app\"]\n",
	// noshell has no /bin/sh and no id: everything must work without them.
	"noshell": `FROM BASE
RUN ["/bin/busybox","rm","/bin/sh","/bin/id"]
USER 10001
HEALTHCHECK --interval=10s --timeout=2s CMD ["/bin/busybox","wget","-q","-O-","http://127.0.0.1:8080/"]
ENTRYPOINT ["/bin/busybox","httpd","-f","-p","8080","-h","/www"]
`,
	"hcnone": "FROM BASE\nUSER app\nHEALTHCHECK NONE\nCMD [\"sleep\",\"3600\"]\n",
	// The syllabus's production HEALTHCHECK timing, and a five-minute one:
	// the fast probe finds both healthy at once; Docker's own schedule
	// does not.
	"hcseed": `FROM BASE
USER app
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 CMD ["wget","-q","-O-","http://127.0.0.1:8080/"]
CMD ["sh","-c","trap 'exit 0' TERM; httpd -p 8080 -h /www; while :; do sleep 1 & wait $!; done"]
`,
	"hc5m": `FROM BASE
USER app
HEALTHCHECK --interval=5m --timeout=3s --retries=3 CMD ["wget","-q","-O-","http://127.0.0.1:8080/"]
CMD ["sh","-c","trap 'exit 0' TERM; httpd -p 8080 -h /www; while :; do sleep 1 & wait $!; done"]
`,
	"hcfail": `FROM BASE
USER app
HEALTHCHECK --interval=1s --timeout=1s --retries=2 CMD ["sh","-c","echo probe says no; exit 1"]
CMD ["sh","-c","while :; do sleep 1; done"]
`,
	// hcmissing probes with curl, which the image lacks (exit 127).
	"hcmissing": `FROM BASE
USER app
HEALTHCHECK --interval=30s --timeout=5s CMD curl -f http://127.0.0.1:8080/ || exit 1
CMD ["sh","-c","while :; do sleep 1; done"]
`,
	"hcslowtiming": `FROM BASE
USER app
HEALTHCHECK --interval=2s --timeout=5s CMD ["true"]
CMD ["sh","-c","while :; do sleep 1; done"]
`,
	// rwfail writes into its root filesystem at start.
	"rwfail": `FROM BASE
HEALTHCHECK --interval=1s CMD ["test","-f","/var/state"]
CMD ["sh","-c","echo started > /var/state && exec sleep 3600"]
`,
	"secret": `FROM BASE
ENV API_TOKEN=s3cr3t-t0ken
ARG DB_PASSWORD=hunter22xyz
RUN echo building
USER app
CMD ["sleep","3600"]
`,
	"gcc": "FROM BASE\nRUN touch /usr/bin/gcc && chmod +x /usr/bin/gcc\nUSER app\n",
	"ignoreterm": `FROM BASE
USER app
CMD ["sh","-c","trap '' TERM; while :; do sleep 1; done"]
`,
	// hcnever fails every probe at a 30s interval.
	"hcnever": `FROM BASE
USER app
HEALTHCHECK --interval=30s --timeout=1s CMD ["false"]
CMD ["sh","-c","while :; do sleep 1; done"]
`,
	"quickexit": "FROM BASE\nUSER app\nCMD [\"true\"]\n",
	// needsnet turns healthy only with a network interface besides
	// loopback, so only a check given a network passes it.
	"needsnet": `FROM BASE
USER app
HEALTHCHECK --interval=1s --timeout=1s --retries=2 CMD ["sh","-c","for n in /sys/class/net/*; do [ \"${n##*/}\" = lo ] || exit 0; done; exit 1"]
CMD ["sh","-c","while :; do sleep 1; done"]
`,
}

// devFixture is built FROM good, 3 MB larger, as the "dev image".
const devFixture = "FROM GOOD\nUSER root\nRUN dd if=/dev/zero of=/big bs=1000 count=3000\nUSER app\n"

// images maps fixture names to references.
var images = map[string]string{}

func TestMain(m *testing.M) {
	os.Exit(dockertest.Main(m, func(e *dockertest.Env) error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		var mu sync.Mutex
		var wg sync.WaitGroup
		errs := make(chan error, len(fixtures)+1)
		sem := make(chan struct{}, 3)
		for name, df := range fixtures {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				ref, err := e.Build(ctx, name, df)
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				images[name] = ref
				mu.Unlock()
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			return err
		}
		ref, err := e.Build(ctx, "dev", replaceGood(devFixture))
		if err != nil {
			return err
		}
		images["dev"] = ref
		return nil
	}))
}

func replaceGood(df string) string {
	return fmt.Sprintf("FROM %s%s", images["good"], df[len("FROM GOOD"):])
}
