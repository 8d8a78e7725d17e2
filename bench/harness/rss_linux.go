package main

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// watchRSS follows the peak resident memory of a running process until
// done is closed, then sends it (bytes) on the returned channel. It reads
// VmHWM from /proc, the peak of the program the process runs: the rusage
// of a child counts the parent's memory too, which it shares until exec.
func watchRSS(pid int, done <-chan struct{}) <-chan int64 {
	out := make(chan int64, 1)
	go func() {
		var peak int64
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			if v := procStatus(pid, "VmHWM:"); v > peak {
				peak = v
			}
			select {
			case <-done:
				out <- peak
				return
			case <-t.C:
			}
		}
	}()
	return out
}

// procStatus reads a memory field of /proc/PID/status ("VmHWM:",
// "VmRSS:") in bytes, or 0.
func procStatus(pid int, field string) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == field {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}
