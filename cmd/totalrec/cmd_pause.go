package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/totalrec/totalrec/recordings/daemon"
	"github.com/totalrec/totalrec/recordings/hook"
)

type pauseOptions struct {
	channel string
	timeout time.Duration
}

func newPauseCommand(opts *globalOptions) *cobra.Command {
	var po pauseOptions
	cmd := &cobra.Command{
		Use:   "pause on|off|toggle --channel NAME",
		Short: "Pause or resume the recording of a live call (the feature code's command)",
		Long: `pause asks the daemon to mute (on) or unmute (off) the recording of the call a
channel takes part in, or to switch it (toggle), through Asterisk's manager
interface (MixMonitorMute, both directions): the recording goes on as silence, so
that a card number read out is not recorded. The channel may be the recorded one
or the one bridged to it (the agent's phone). The dialplan's feature code runs
'totalrec pause toggle --channel ${CHANNEL}'. Each pause is stored with the
recording and audited. It prints the recording's state as JSON.`,
		Example:   `  totalrec pause toggle --channel PJSIP/101-0000002a`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"on", "off", "toggle"},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPause(cmd.Context(), opts, po, args[0])
		},
	}
	cmd.Flags().StringVar(&po.channel, "channel", "", "the call's channel (required)")
	cmd.Flags().DurationVar(&po.timeout, "timeout", 5*time.Second, "how long to wait for the daemon")
	return cmd
}

func runPause(ctx context.Context, opts *globalOptions, po pauseOptions, state string) error {
	if state != "on" && state != "off" && state != "toggle" {
		return usagef("pause: %q: say on, off or toggle", state)
	}
	if po.channel == "" {
		return usagef("pause: --channel is required")
	}
	l, err := opts.loadConfig()
	if err != nil {
		return err
	}
	out, err := daemon.PostPause(ctx, hook.Socket(l.Config.DataDir),
		daemon.PauseRequest{Channel: po.channel, State: state, By: opts.operator()}, po.timeout)
	if err != nil {
		return fmt.Errorf("pause: %w", err)
	}
	_, err = opts.stdout.Write(out)
	return err
}
