export { inventoryResolver, localLocks, localTransports, secretRedactor, systemClock } from '../../../source/services/runner-deps.js';
export { noAnswers as noAnswersDecider } from '../../../source/services/runner-answers.js';
