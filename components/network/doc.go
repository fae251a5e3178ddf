// Package network holds the network the cluster and the EC2 fleets run in, and [SelectZones],
// which picks its availability zones.
//
// Its component, typed openwan:aws:<Name>:
//   - [VPC] (openwan:aws:VPC): a VPC with a public and a private subnet per availability zone,
//     NAT egress and an S3 gateway endpoint.
package network
