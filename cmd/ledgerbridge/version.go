package main

import (
	"fmt"
	"regexp"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

var releaseVersion = regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+$`)

// version is set at build time: go build -ldflags "-X main.version=v1.2.3".
var version = "dev"

// versionString is the version with the commit it was built from, when the build recorded it.
func versionString() string {
	v, commit, modified := version, "", false
	if info, ok := debug.ReadBuildInfo(); ok {
		// A tagged module version (go install …@v1.2.3); pseudo-versions repeat the commit.
		if v == "dev" && releaseVersion.MatchString(info.Main.Version) {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	out := "ledgerbridge " + v
	if commit != "" {
		out += " (commit " + commit[:min(12, len(commit))]
		if modified {
			out += ", modified"
		}
		out += ")"
	}
	return out + " " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
}

func versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the CLI's version",
		Example: "  ledgerbridge version",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), versionString())
			return err
		},
	}
}
