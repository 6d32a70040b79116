// Command sessionize turns raw product and marketing events into sessions
// inside the warehouse. See README.md and `sessionize help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/sessionize/sessionize/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
