// Placeholder: the Ifnet class is being written (execution-model issue). The mbuf module imports only its type.
export class Ifnet {
  readonly index: number = 0;
  readonly name: string = '';
}
