//go:build s3

package main

// Built with -tags s3, the binary reads and writes s3:// paths (AWS
// credentials and region from the usual AWS environment). It is not in the
// default build: the AWS SDK adds much to the first build.
import _ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/s3"
