//go:build !wasm

package engine

// reportReaders read each operation's report back, for ParseResponse and so
// for the hosts' typed methods. The module answers requests and never reads
// a response, so its build leaves them out (ops_read_wasm.go): 7 KB of its
// gzip.
var reportReaders = map[op]reportReader{
	opLabel:    readLabelReport,
	opRedact:   readRedactReport,
	opHWM:      readHWMReport,
	opValidate: readValidateReport,
	opMarks:    readMarksReport,
}
