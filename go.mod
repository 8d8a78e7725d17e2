module github.com/seclabel/seclabel

go 1.26.8

require (
	github.com/evanw/esbuild v0.28.2
	github.com/tetratelabs/wazero v1.12.0
	github.com/valyala/fastjson v1.6.10
)

require golang.org/x/sys v0.44.0 // indirect
