// Command pause is the first process of every pod sandbox in the test environment, built here
// so that no registry is needed for registry.k8s.io/pause.
//
// It holds the pod's namespaces open by doing nothing. Being PID 1 of the pod's PID namespace
// (when the pod shares one), it inherits every orphaned process there and must reap them, or
// they stay zombies for the pod's life. It exits 0 on SIGTERM or SIGINT, which is how the runtime
// stops a sandbox.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	wait(subscribe())
	os.Exit(0)
}

// subscribe routes the signals pause acts on to a channel; until it returns, SIGTERM would kill
// the process with the default action instead.
func subscribe() <-chan os.Signal {
	// Buffered: SIGCHLDs coalesce anyway, and reap collects every exited child per wake-up.
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGCHLD)
	return sigs
}

// wait reaps children on each SIGCHLD and returns on the first SIGTERM or SIGINT.
func wait(sigs <-chan os.Signal) {
	for sig := range sigs {
		if sig != syscall.SIGCHLD {
			return
		}
		reap()
	}
}

// reap collects every child that has exited, without blocking, and returns their pids.
func reap() []int {
	var pids []int
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
		if err == syscall.EINTR {
			continue
		}
		if err != nil || pid <= 0 { // ECHILD: no children; 0: none has exited yet
			return pids
		}
		pids = append(pids, pid)
	}
}
