// The contract-test service: placeholder until the client lands.
return 0;
