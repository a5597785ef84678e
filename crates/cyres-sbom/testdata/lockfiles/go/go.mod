module example.com/cyres/fixture

go 1.21

toolchain go1.22.4

require (
	github.com/gogo/protobuf v1.3.1
	github.com/opencontainers/runc v1.0.1
	github.com/old/fork v1.0.0
	example.com/cyres/localpkg v0.0.0
)

require (
	golang.org/x/image v0.4.0 // indirect
	golang.org/x/sys v0.0.0-20210817142637-7d9622a276b7 // indirect
)

require github.com/BurntSushi/toml v1.2.0

replace github.com/old/fork => github.com/new/fork v1.2.3

replace example.com/cyres/localpkg => ../localpkg

exclude golang.org/x/sys v0.0.0-20200101000000-000000000000
