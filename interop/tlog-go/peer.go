// The Go reference implementation of signed notes and tiled logs (golang.org/x/mod/sumdb/note
// and sumdb/tlog, from Debian) against a log made by `civitas log`:
//
//	go run peer.go DIR OLD_CHECKPOINT OUR_PROOFS.json GO_PROOFS.json INDEX...
//
// It opens DIR/checkpoint with DIR/vkey, recomputes the tree head from DIR's tiles (read at
// their C2SP paths), checks our inclusion and consistency proofs (OUR_PROOFS.json, from
// `tlog-interop prove`), and writes its own proofs to GO_PROOFS.json for `tlog-interop
// check`. One line per check; exit status 1 if any failed.
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

var failed = 0

func check(ok bool, what string) {
	if ok {
		fmt.Println("ok   go:", what)
	} else {
		fmt.Println("FAIL go:", what)
		failed++
	}
}

// tilePath is the C2SP tlog-tiles path of a tile (sumdb puts the height in its paths).
func tilePath(t tlog.Tile) string {
	n := strconv.FormatInt(t.N, 10)
	for len(n)%3 != 0 {
		n = "0" + n
	}
	var parts []string
	for i := 0; i < len(n); i += 3 {
		parts = append(parts, n[i:i+3])
	}
	for i := 0; i < len(parts)-1; i++ {
		parts[i] = "x" + parts[i]
	}
	p := fmt.Sprintf("tile/%d/%s", t.L, strings.Join(parts, "/"))
	if t.W < 256 {
		p += fmt.Sprintf(".p/%d", t.W)
	}
	return p
}

type dirTiles struct{ dir string }

func (d dirTiles) Height() int { return 8 }

func (d dirTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		b, err := os.ReadFile(filepath.Join(d.dir, tilePath(t)))
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

func (d dirTiles) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

// openCheckpoint verifies a checkpoint note with the vkey and parses its first three lines
// (tlog.ParseTree expects the Go checksum database's origin, so this harness parses them).
func openCheckpoint(path string, verifiers note.Verifiers) (string, tlog.Tree, error) {
	msg, err := os.ReadFile(path)
	if err != nil {
		return "", tlog.Tree{}, err
	}
	n, err := note.Open(msg, verifiers)
	if err != nil {
		return "", tlog.Tree{}, err
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 {
		return "", tlog.Tree{}, fmt.Errorf("short checkpoint")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		return "", tlog.Tree{}, err
	}
	h, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(h) != 32 {
		return "", tlog.Tree{}, fmt.Errorf("bad root")
	}
	var root tlog.Hash
	copy(root[:], h)
	return lines[0], tlog.Tree{N: size, Hash: root}, nil
}

func hashes(list []string) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(list))
	for i, s := range list {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(b) != 32 {
			return nil, fmt.Errorf("bad hash")
		}
		copy(out[i][:], b)
	}
	return out, nil
}

func b64(hs []tlog.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = base64.StdEncoding.EncodeToString(h[:])
	}
	return out
}

// entry reads entry i from the C2SP entry bundles.
func entry(dir string, size, i int64) ([]byte, error) {
	tile := i / 256
	w := int64(256)
	if (tile+1)*256 > size {
		w = size % 256
	}
	t := tlog.Tile{H: 8, L: 0, N: tile, W: int(w)}
	p := strings.Replace(tilePath(t), "tile/0/", "tile/entries/", 1)
	b, err := os.ReadFile(filepath.Join(dir, p))
	if err != nil {
		return nil, err
	}
	for k := int64(0); len(b) >= 2; k++ {
		n := int(b[0])<<8 | int(b[1])
		if len(b) < 2+n {
			return nil, fmt.Errorf("truncated bundle")
		}
		if k == i%256 {
			return b[2 : 2+n], nil
		}
		b = b[2+n:]
	}
	return nil, fmt.Errorf("entry not in bundle")
}

func main() {
	if len(os.Args) < 6 {
		fmt.Fprintln(os.Stderr, "usage: go run peer.go DIR OLD_CHECKPOINT OUR_PROOFS.json GO_PROOFS.json INDEX...")
		os.Exit(2)
	}
	dir, oldPath, oursPath, goPath := os.Args[1], os.Args[2], os.Args[3], os.Args[4]
	vkey, err := os.ReadFile(filepath.Join(dir, "vkey"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	v, err := note.NewVerifier(strings.TrimSpace(string(vkey)))
	check(err == nil, "reads our verifier key (name+id+Ed25519 key)")
	if err != nil {
		os.Exit(1)
	}
	verifiers := note.VerifierList(v)
	origin, tree, err := openCheckpoint(filepath.Join(dir, "checkpoint"), verifiers)
	check(err == nil, fmt.Sprintf("opens our signed checkpoint (%v)", err))
	_, oldTree, err := openCheckpoint(oldPath, verifiers)
	check(err == nil, "opens our older signed checkpoint")
	// A checkpoint with its size changed is refused.
	msg, _ := os.ReadFile(filepath.Join(dir, "checkpoint"))
	bad := bytes.Replace(msg, []byte("\n"+strconv.FormatInt(tree.N, 10)+"\n"), []byte("\n"+strconv.FormatInt(tree.N-1, 10)+"\n"), 1)
	_, err = note.Open(bad, verifiers)
	check(err != nil, "refuses our checkpoint with its size changed")

	reader := dirTiles{dir}
	hr := tlog.TileHashReader(tree, reader)
	th, err := tlog.TreeHash(tree.N, hr)
	check(err == nil && th == tree.Hash, fmt.Sprintf("recomputes the tree head of %s (%d entries) from our tiles", origin, tree.N))

	// Our proofs.
	var ours struct {
		Size        int64 `json:"size"`
		OldSize     int64 `json:"old_size"`
		Inclusion   []struct {
			Index int64    `json:"index"`
			Proof []string `json:"proof"`
		} `json:"inclusion"`
		Consistency []string `json:"consistency"`
	}
	raw, err := os.ReadFile(oursPath)
	if err == nil {
		err = json.Unmarshal(raw, &ours)
	}
	check(err == nil && ours.Size == tree.N && ours.OldSize == oldTree.N, "reads our proofs")
	for _, inc := range ours.Inclusion {
		p, err1 := hashes(inc.Proof)
		e, err2 := entry(dir, tree.N, inc.Index)
		ok := err1 == nil && err2 == nil && tlog.CheckRecord(p, tree.N, tree.Hash, inc.Index, tlog.RecordHash(e)) == nil
		check(ok, fmt.Sprintf("checks our inclusion proof of entry %d", inc.Index))
	}
	cp, err := hashes(ours.Consistency)
	check(err == nil && tlog.CheckTree(cp, tree.N, tree.Hash, oldTree.N, oldTree.Hash) == nil,
		fmt.Sprintf("checks our consistency proof from %d to %d", oldTree.N, tree.N))
	if len(cp) > 0 {
		cp[len(cp)-1][0] ^= 1
		check(tlog.CheckTree(cp, tree.N, tree.Hash, oldTree.N, oldTree.Hash) != nil, "refuses our consistency proof with one bit changed")
	}

	// Its proofs, for us to check.
	type inclusion struct {
		Index int64    `json:"index"`
		Proof []string `json:"proof"`
	}
	out := struct {
		OldSize     int64       `json:"old_size"`
		OldRoot     string      `json:"old_root"`
		Inclusion   []inclusion `json:"inclusion"`
		Consistency []string    `json:"consistency"`
	}{OldSize: oldTree.N, OldRoot: base64.StdEncoding.EncodeToString(oldTree.Hash[:])}
	for _, a := range os.Args[5:] {
		i, _ := strconv.ParseInt(a, 10, 64)
		p, err := tlog.ProveRecord(tree.N, i, hr)
		check(err == nil, fmt.Sprintf("makes an inclusion proof of entry %d from our tiles", i))
		out.Inclusion = append(out.Inclusion, inclusion{Index: i, Proof: b64(p)})
	}
	tp, err := tlog.ProveTree(tree.N, oldTree.N, hr)
	check(err == nil, "makes a consistency proof from our tiles")
	out.Consistency = b64(tp)
	j, _ := json.Marshal(out)
	if err := os.WriteFile(goPath, j, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if failed > 0 {
		os.Exit(1)
	}
}
