console.log("riskscore cli");
