package main

// The collector's own pause log: GODEBUG=gctrace=1 prints one line per cycle
// on file descriptor 2, and the runtime reads GODEBUG only at start-up. So a
// run re-executes this binary (same pid: ru_maxrss, the runner's RSS samples
// and its wait4 all stay on this process) with gctrace on and its stderr
// piped into a small child, this binary again in --tee-gctrace mode, which
// copies the collector's lines into a file beside the detail JSON and every
// other line (the worker's messages, a runtime crash report) to the original
// stderr. The runner's log thus stays bounded, and a fatal error still
// reaches it.

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
)

const (
	envGCTrace   = "MMBENCH_GO_GCTRACE"    // the gctrace file, set in the re-executed image
	envStderrFD  = "MMBENCH_GO_STDERR_FD"  // the original stderr, kept open across exec
	envTeePID    = "MMBENCH_GO_TEE_PID"    // the copying child, reaped at the end
	envUserDebug = "MMBENCH_GO_USER_DEBUG" // GODEBUG as the caller set it, for the config
)

func underGCTrace() bool { return os.Getenv(envGCTrace) != "" }

// userGODEBUG is GODEBUG as the caller gave it (before gctrace=1 was added).
func userGODEBUG() any {
	if underGCTrace() {
		if v, ok := os.LookupEnv(envUserDebug); ok {
			return v
		}
		return nil
	}
	return envOrNull("GODEBUG")
}

var stderrFile *os.File

// workerStderr is where the worker's own messages go: the original stderr.
func workerStderr() io.Writer {
	if stderrFile != nil {
		return stderrFile
	}
	if fd, err := strconv.Atoi(os.Getenv(envStderrFD)); err == nil && underGCTrace() {
		stderrFile = os.NewFile(uintptr(fd), "stderr")
		return stderrFile
	}
	return os.Stderr
}

// gctracePath is where the collector's lines go for this run.
func gctracePath(opt *options) string {
	dir, stem := os.TempDir(), fmt.Sprintf("mmbench-go-%d", os.Getpid())
	if opt.detailOut != "" {
		dir, stem = filepath.Dir(opt.detailOut), filepath.Base(opt.detailOut)
	}
	// A leading '.' and a '.tmp' ending: run-folder readers ignore it.
	return filepath.Join(dir, "."+stem+".gctrace.tmp")
}

func withGCTrace(godebug string) string {
	var kept []string
	for _, item := range strings.Split(godebug, ",") {
		if item != "" && !strings.HasPrefix(item, "gctrace=") {
			kept = append(kept, item)
		}
	}
	return strings.Join(append(kept, "gctrace=1"), ",")
}

// reexecWithGCTrace starts the copying child and replaces this image by a
// fresh one with gctrace on; it returns only when that could not be done.
func reexecWithGCTrace(opt *options, s goStrategy) int {
	path := gctracePath(opt)
	self, err := os.Executable()
	if err == nil {
		err = startTeeAndExec(self, path, opt, s)
	}
	say("error: cannot start the run with GODEBUG=gctrace=1: %v", err)
	return exitError
}

func startTeeAndExec(self, path string, opt *options, s goStrategy) error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	tee := exec.Command(self, "--tee-gctrace", path)
	tee.Stdin, tee.Stdout, tee.Stderr = r, os.Stderr, os.Stderr
	if err := tee.Start(); err != nil {
		return err
	}
	r.Close()
	origStderr, err := syscall.Dup(2) // no close-on-exec: survives the exec
	if err != nil {
		return err
	}
	env := append(os.Environ(), envGCTrace+"="+path, envStderrFD+"="+strconv.Itoa(origStderr),
		envTeePID+"="+strconv.Itoa(tee.Process.Pid), "GODEBUG="+withGCTrace(os.Getenv("GODEBUG")))
	if v, ok := os.LookupEnv("GODEBUG"); ok {
		env = append(env, envUserDebug+"="+v)
	}
	// The declared settings, for the runtime to parse at start-up; without an
	// override the environment is left as it is, and verify() refuses a
	// GOGC or GOMEMLIMIT there that is not the table's.
	if opt.gogc != "" {
		env = append(env, "GOGC="+gogcString(s.gogc))
	}
	if opt.gomemlimit != "" {
		env = append(env, "GOMEMLIMIT="+memlimitString(s.memLimit))
	}
	if err := syscall.Dup2(int(w.Fd()), 2); err != nil {
		return err
	}
	err = syscall.Exec(self, os.Args, env)
	syscall.Dup2(origStderr, 2) // still here: stderr back for the message
	tee.Process.Kill()
	return err
}

// finish ends a re-executed run: the pipe's last writer (fd 2) closed, so
// the copying child sees its end, and the child reaped. The results are
// written by now: fd 2 becomes /dev/null, where the line of a cycle still
// ending goes (the worker's own messages use the original stderr).
func finish(code int) int {
	if !underGCTrace() {
		return code
	}
	debug.SetGCPercent(-1) // no new cycle
	if null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
		syscall.Dup2(int(null.Fd()), 2)
		null.Close()
	}
	if pid, err := strconv.Atoi(os.Getenv(envTeePID)); err == nil {
		var status syscall.WaitStatus
		syscall.Wait4(pid, &status, 0, nil)
	}
	return code
}

// teeGCTrace is the copying child: gctrace lines ("gc N @...") to the file,
// flushed line by line (the worker reads it while this runs), the rest to
// stderr. At the end of its input (the worker has read the file, or died)
// it removes the file, so that none is left in the run folder.
func teeGCTrace(path string) int {
	defer os.Remove(path)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
	if err != nil {
		fmt.Fprintf(os.Stderr, "mmbench-worker-go: cannot write %s: %v\n", path, err)
		io.Copy(os.Stderr, os.Stdin)
		return exitError
	}
	defer f.Close()
	in := bufio.NewReaderSize(os.Stdin, 1<<16)
	for {
		line, err := in.ReadString('\n')
		if line != "" {
			if gctraceLine.MatchString(line) {
				f.WriteString(line)
			} else {
				os.Stderr.WriteString(line)
			}
		}
		if err != nil {
			return exitOK
		}
	}
}
