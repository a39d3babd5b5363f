// Command hookbench times a command run as a process once per line of a list,
// one after another, the way MixMonitor runs the hook once per recording: each
// line replaces {} in the arguments. It prints the percentiles of the wall time,
// process start included, and of the CPU time the process used (user and system):
// under load, the difference is time spent waiting for a CPU.
//
//	hookbench -label hook -list files.txt -- totalrec hook --file {}
//	hookbench -label "empty Go program" -n 1000 -- hookbench -noop
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"
)

func main() {
	label := flag.String("label", "command", "name printed with the figures")
	list := flag.String("list", "", "file of lines, one run per line, each replacing {} in the arguments")
	n := flag.Int("n", 0, "runs without a list (or at most this many lines)")
	noop := flag.Bool("noop", false, "exit at once: the process-start baseline")
	flag.Parse()
	if *noop {
		return
	}
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "hookbench: no command after --")
		os.Exit(2)
	}
	lines, err := inputs(*list, *n)
	if err != nil {
		fmt.Fprintln(os.Stderr, "hookbench:", err)
		os.Exit(1)
	}
	took, cpu, failed := run(flag.Args(), lines)
	slices.Sort(took)
	slices.Sort(cpu)
	fmt.Printf("H %-24s n=%d p50 %.2f ms p90 %.2f ms p99 %.2f ms max %.2f ms, %d errors; CPU p50 %.2f ms p99 %.2f ms\n",
		*label, len(took), ms(pct(took, 0.50)), ms(pct(took, 0.90)), ms(pct(took, 0.99)), ms(pct(took, 1)), failed,
		ms(pct(cpu, 0.50)), ms(pct(cpu, 0.99)))
}

// inputs returns the list's lines (at most n when n > 0), or n empty ones.
func inputs(list string, n int) ([]string, error) {
	if list == "" {
		return make([]string, n), nil
	}
	f, err := os.Open(list)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() && (n <= 0 || len(lines) < n) {
		lines = append(lines, sc.Text())
	}
	return lines, sc.Err()
}

// run runs args once per line and returns the wall time and the CPU time of each
// run and the number that failed (a failed run is timed too and reported on
// stderr).
func run(args, lines []string) (took, cpu []time.Duration, failed int) {
	for _, line := range lines {
		argv := make([]string, len(args))
		for i, a := range args {
			argv[i] = strings.ReplaceAll(a, "{}", line)
		}
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		start := time.Now()
		err := cmd.Run()
		took = append(took, time.Since(start))
		if cmd.ProcessState != nil {
			cpu = append(cpu, cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime())
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "hookbench: %s: %v\n", strings.Join(argv, " "), err)
			failed++
		}
	}
	return took, cpu, failed
}

// pct is the p-th percentile of sorted d (nearest rank).
func pct(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	i := int(p*float64(len(d))+0.5) - 1
	return d[max(0, min(i, len(d)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }
