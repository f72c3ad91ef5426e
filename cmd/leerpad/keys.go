package main

import (
	"context"
	"fmt"
	"io"

	"github.com/leerpad/leerpad/eventstore/keystore"
)

// runKeys runs the key store's commands; today there is one, rotate-kek.
func runKeys(_ context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "rotate-kek" {
		return &usageError{msg: "leerpad keys: the one command is \"rotate-kek\" (leerpad keys rotate-kek -keystore DIR -kek-file OLD -new-kek-file NEW)"}
	}
	fs := newFlagSet("leerpad keys rotate-kek", stderr)
	dir := fs.String("keystore", "", "`directory` of the key store (every process using it stopped)")
	oldKEK := fs.String("kek-file", "", "`file` of the key-encryption key the store is wrapped with now")
	newKEK := fs.String("new-kek-file", "", "`file` of the new key-encryption key (made when missing, 0600)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *dir == "" || *oldKEK == "" || *newKEK == "" {
		return &usageError{msg: "leerpad keys rotate-kek: -keystore, -kek-file and -new-kek-file are all required"}
	}
	from, err := keystore.LoadKEK(*oldKEK)
	if err != nil {
		return err
	}
	to, err := keystore.LoadOrCreateKEK(*newKEK)
	if err != nil {
		return err
	}
	n, err := keystore.RotateKEK(*dir, from, to)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "wrapped %d keys anew with %s: give every process -kek-file %s, then destroy %s (with it, every remnant of a deleted key on the disk becomes unreadable)\n",
		n, *newKEK, *newKEK, *oldKEK)
	return err
}
