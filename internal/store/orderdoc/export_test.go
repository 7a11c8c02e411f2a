package orderdoc

// The format bytes, for tests of documents written by older versions.
const (
	DocV1 = docV1
	DocV2 = docV2
	DocV3 = docV3
)
