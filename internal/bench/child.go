package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Launcher makes the command that runs a Buzón process: mode is "serve" or
// "worker", args its flags. `buzon bench` runs its own executable; tests
// run their test binary, which acts as buzon when told so.
type Launcher func(mode string, args []string) *exec.Cmd

// child is a running Buzón process.
type child struct {
	cmd    *exec.Cmd
	mode   string
	addr   string // host:port it serves on ("" for a worker)
	log    *tailBuffer
	exited chan struct{}
	err    error // set when exited closes
}

// freeAddr returns a loopback address with a port nobody listens on now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startChild starts a process and, for "serve", waits until it answers
// /readyz.
func startChild(ctx context.Context, launch Launcher, mode, addr string, args []string) (*child, error) {
	c := &child{mode: mode, addr: addr, log: &tailBuffer{max: 64 << 10}, exited: make(chan struct{})}
	if mode == "serve" {
		args = append([]string{"--addr", addr, "--base-url", "http://" + addr}, args...)
	}
	c.cmd = launch(mode, args)
	c.cmd.Stdout = c.log
	c.cmd.Stderr = c.log
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start buzon %s: %w", mode, err)
	}
	go func() { c.err = c.cmd.Wait(); close(c.exited) }()
	if mode != "serve" {
		return c, nil
	}
	ready, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ready, http.MethodGet, "http://"+addr+"/readyz", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return c, nil
			}
		}
		select {
		case <-c.exited:
			return nil, fmt.Errorf("buzon %s exited at start (%v):\n%s", mode, c.err, c.log.String())
		case <-ready.Done():
			c.kill()
			return nil, fmt.Errorf("buzon %s not ready: %w\n%s", mode, ready.Err(), c.log.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// peakRSS is the process's peak resident set size so far (VmHWM), in bytes.
func (c *child) peakRSS() (int64, error) {
	return peakRSS(c.cmd.Process.Pid)
}

func peakRSS(pid int) (int64, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("parse VmHWM %q: %w", v, err)
			}
			return kb << 10, nil
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, errors.New("no VmHWM in /proc status")
}

// stop reads the peak RSS, asks the process to shut down (SIGTERM, as a
// supervisor would) and waits for it; it reports the peak.
func (c *child) stop() (int64, error) {
	peak, perr := c.peakRSS()
	select {
	case <-c.exited:
		return peak, fmt.Errorf("buzon %s had exited (%v):\n%s", c.mode, c.err, c.log.String())
	default:
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.exited:
	case <-time.After(90 * time.Second):
		c.kill()
		return peak, fmt.Errorf("buzon %s did not stop within 90s of SIGTERM", c.mode)
	}
	if c.err != nil {
		return peak, fmt.Errorf("buzon %s: %v\n%s", c.mode, c.err, c.log.String())
	}
	return peak, perr
}

func (c *child) kill() {
	_ = c.cmd.Process.Kill()
	<-c.exited
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf bytes.Buffer
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Write(p)
	if over := t.buf.Len() - t.max; over > 0 {
		t.buf.Next(over)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.buf.String()
}
